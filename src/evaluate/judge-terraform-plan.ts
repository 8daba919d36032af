/**
 * The policies and the cost of Terraform's own plan, right before it is applied: `slipway apply`
 * and the service's deploy job both judge the saved plan this way (an error-level result that is
 * neither passed nor approved blocks). A thin layer over the one evaluation (evaluateApp, through
 * withTerraformPlan's inputs: the synthesized document, not synthesized again, and Terraform's
 * plan, priced from what its `before` side says exists), adding the approvals given on pull requests.
 */
import type { LoadedApp } from '../config/load-apps.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { CostDiff } from '../cost/types.ts';
import type { TerraformPlan } from '../plan/plan-source.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { applyApprovals, isBlocking, type Approval, type PolicyResult, type PolicySet } from '../policy/index.ts';
import { evaluateApp } from './evaluate-app.ts';

export type PlanJudgement = {
  cost: CostDiff;
  policies: PolicyResult[];
  /** Error-level results neither passed nor approved: the plan must not be applied. */
  blocking: PolicyResult[];
  notes: string[];
};

export function judgeTerraformPlan(input: {
  app: LoadedApp;
  config: ResolvedConfig;
  environment: string;
  terraformJson: TerraformJson;
  /** Terraform's plan of `terraformJson` against the real state, and what made it (runner/terraform-plan-of.ts). */
  terraformPlan: TerraformPlan;
  policies: Pick<PolicySet, 'rules' | 'params'>;
  /** Approvals recorded for results of this repository (matched by fingerprint). */
  approvals?: Approval[];
  sha: string;
  file?: string;
}): PlanJudgement {
  const evaluation = evaluateApp({
    app: input.app,
    environment: input.environment,
    sha: input.sha,
    base: null,
    synthesized: { config: input.config, terraform: input.terraformJson },
    terraformPlan: input.terraformPlan,
    policies: input.policies,
    ...(input.file ? { file: input.file } : {}),
  });
  const policies = input.approvals && input.approvals.length > 0 ? applyApprovals(evaluation.policies, input.approvals, input.sha) : evaluation.policies;
  return { cost: evaluation.costDiff, policies, blocking: policies.filter(isBlocking), notes: evaluation.notes };
}
