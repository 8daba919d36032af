/**
 * Which plan a report shows, and why: Terraform's own (`terraform show -json` of a plan it made
 * against the real state; speculative on pull requests, the one applied on a push), or the diff
 * Slipway infers from the last applied document when Terraform could not plan (no runner, no
 * credentials, `init` failing offline). Every report says which, in one line (see
 * report/plan-source-line.ts).
 */
import type { Plan } from './types.ts';

export type PlanSource =
  | {
      kind: 'terraform';
      /** `Terraform` or `OpenTofu`. */
      tool: string;
      version: string;
      /** A pull request's plan: `-lock=false`, never applied. */
      speculative: boolean;
    }
  | {
      kind: 'inferred';
      /** Why Terraform's plan is not shown (already redacted); absent where none was asked for (`slipway plan`). */
      reason?: string;
    };

export type TerraformPlanSource = Extract<PlanSource, { kind: 'terraform' }>;

/** Terraform's plan of a document against the real state, read into the plan model, and where it came from. */
export type TerraformPlan = { plan: Plan; source: TerraformPlanSource };
