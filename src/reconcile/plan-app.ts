/**
 * One app, one environment, one commit: resolve the environment, synthesize, diff against what is
 * deployed, estimate and diff the cost, evaluate the policies. Pure (data in, data out) so that a
 * push, a pull request and a test all run the same steps.
 */
import { createHash } from 'node:crypto';
import { resolveEnvironment, type LoadedApp } from '../config/load.ts';
import { diffCost } from '../cost/diff-cost.ts';
import { estimateCost, summarizeEstimate } from '../cost/estimate-cost.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import { diffTerraform } from '../plan/diff-terraform.ts';
import { summarizePlan } from '../plan/summarize-plan.ts';
import type { Plan } from '../plan/types.ts';
import { evaluatePolicies, type PolicyResult, type PolicySet } from '../policy/index.ts';
import { componentOf } from '../synth/component-of.ts';
import { synthesize } from '../synth/synthesize.ts';
import type { TerraformJson } from '../synth/terraform-json.ts';

export type AppPlan = {
  app: LoadedApp;
  environment: string;
  terraform: TerraformJson;
  configHash: string;
  plan: Plan;
  cost?: CostEstimate;
  costDiff: CostDiff;
  policies: PolicyResult[];
  notes: string[];
};

export type PlanAppInput = {
  app: LoadedApp;
  environment: string;
  /** The Terraform JSON of the last applied deployment, or null on first sight. */
  base: TerraformJson | null;
  policies: PolicySet;
  sha: string;
};

function emptyCostDiff(region: string): CostDiff {
  const none = summarizeEstimate(region, []);
  return { before: none, after: none, delta: 0, deltaPercent: null, lines: [] };
}

export function planApp(input: PlanAppInput): AppPlan {
  const { app, environment, base } = input;
  const resolved = resolveEnvironment(app.config, environment);
  const terraform = synthesize(resolved);
  const plan = diffTerraform(base, terraform, { componentOf });
  const notes: string[] = [];
  let cost: CostEstimate | undefined;
  let costDiff: CostDiff;
  try {
    cost = estimateCost(terraform, { region: resolved.region, componentOf });
    costDiff = diffCost(base ? estimateCost(base, { region: resolved.region, componentOf }) : null, cost);
  } catch (error) {
    notes.push(`cost not estimated: ${(error as Error).message}`);
    costDiff = emptyCostDiff(resolved.region);
  }
  const policies = evaluatePolicies({
    config: resolved,
    environment,
    terraform: terraform as never,
    plan,
    cost,
    // When the estimate failed, budget rules must say "not evaluated", not pass on a $0 stand-in.
    costDiff: cost ? costDiff : undefined,
    rules: input.policies.rules,
    params: input.policies.params,
    locate: (path) => app.locate(path),
    file: app.file,
    componentOf,
  });
  const configHash = createHash('sha256').update(JSON.stringify(terraform)).digest('hex');
  return { app, environment, terraform, configHash, plan, cost, costDiff, policies, notes };
}

export { isBlocking } from '../policy/summarize-results.ts';

/** What the store keeps of a plan: counts per action and the changed addresses. */
export function planSummary(plan: Plan): { counts: ReturnType<typeof summarizePlan>; changed: string[] } {
  return {
    counts: summarizePlan(plan.resources),
    changed: plan.resources.filter((r) => r.action !== 'no-op').map((r) => `${r.action} ${r.address}`),
  };
}
