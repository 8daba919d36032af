/**
 * The policies and the cost of Terraform's own plan, right before it is applied: `slipway apply`
 * and the service's deploy job both judge the saved plan this way (an error-level result that is
 * neither passed nor approved blocks). Before: what the plan says exists; after: the synthesized
 * document.
 */
import type { LoadedApp } from '../config/load-apps.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { diffCost } from '../cost/diff-cost.ts';
import { estimateCost, summarizeEstimate, UnknownRegionError } from '../cost/estimate-cost.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import { planToTerraformJson } from '../plan/plan-to-terraform-json.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Plan } from '../plan/types.ts';
import { applyApprovals, evaluatePolicies, isBlocking, type Approval, type PolicyResult, type PolicySet } from '../policy/index.ts';
import { componentOf } from '../synth/component-of.ts';

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
  plan: Plan;
  policies: Pick<PolicySet, 'rules' | 'params'>;
  /** Approvals recorded for results of this repository (matched by fingerprint). */
  approvals?: Approval[];
  sha: string;
  file?: string;
}): PlanJudgement {
  const notes: string[] = [];
  const { cost, after } = costOf(input.config, input.terraformJson, input.plan, notes);
  const evaluated = evaluatePolicies({
    config: input.config,
    environment: input.environment,
    terraform: input.terraformJson as never,
    plan: input.plan,
    cost: after,
    costDiff: after ? cost : undefined,
    rules: input.policies.rules,
    params: input.policies.params,
    locate: (path) => input.app.locate(path),
    file: input.file ?? input.app.file,
    componentOf,
  });
  const policies = input.approvals && input.approvals.length > 0 ? applyApprovals(evaluated, input.approvals, input.sha) : evaluated;
  return { cost, policies, blocking: policies.filter(isBlocking), notes };
}

function costOf(config: ResolvedConfig, terraformJson: TerraformJson, plan: Plan, notes: string[]): { cost: CostDiff; after?: CostEstimate } {
  try {
    const after = estimateCost(terraformJson, { region: config.region, componentOf });
    const before = estimateCost(planToTerraformJson(plan, 'before'), { region: config.region, componentOf });
    return { cost: diffCost(before, after), after };
  } catch (error) {
    if (!(error instanceof UnknownRegionError)) throw error;
    notes.push(`${config.name}: cost not estimated: ${error.message}`);
    const none = summarizeEstimate(config.region, []);
    return { cost: { before: none, after: none, delta: 0, deltaPercent: null, lines: [] } };
  }
}
