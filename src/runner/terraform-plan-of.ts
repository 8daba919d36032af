/**
 * The runner's plan as reports take it: the plan model `terraform show -json` was read into (by
 * the reader `slipway plan --terraform-plan` uses), with the tool and version that made it. The
 * push job passes it to `withTerraformPlan` (evaluate/) so its check run shows, prices and judges
 * Terraform's plan, saying so; the PR job gets a speculative one from speculativePlan.
 */
import type { TerraformPlan, TerraformPlanSource } from '../plan/plan-source.ts';
import type { Plan } from '../plan/types.ts';
import type { Runner } from './create-runner.ts';

export function terraformPlanSource(runner: Pick<Runner, 'terraform'>, options: { speculative: boolean }): TerraformPlanSource {
  const { terraform } = runner;
  return { kind: 'terraform', tool: terraform.name === 'tofu' ? 'OpenTofu' : 'Terraform', version: terraform.version, speculative: options.speculative };
}

/** `runDeployment`'s `result.plan` (undefined when it stopped before planning) as a report's Terraform plan. */
export function terraformPlanOf(runner: Pick<Runner, 'terraform'>, plan: Plan | undefined, options: { speculative: boolean } = { speculative: false }): TerraformPlan | undefined {
  return plan ? { plan, source: terraformPlanSource(runner, options) } : undefined;
}
