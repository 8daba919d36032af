/**
 * `terraform show -json` of the saved plan, read into the plan model by the same reader
 * `slipway plan --terraform-plan` uses. The document itself is never logged: it holds the values
 * the plan marks sensitive, which are collected here for the apply log's redaction instead.
 */
import { PlanInputError } from '../plan/plan-input-error.ts';
import { readTerraformPlan } from '../plan/read-terraform-plan.ts';
import type { Plan } from '../plan/types.ts';
import type { DeploymentFailure } from '../store/schema.ts';
import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';
import { sensitiveValues } from './sensitive-values.ts';

export type ShownPlan = { run: TerraformRun; plan: Plan; sensitive: string[] } | { run: TerraformRun; failure?: DeploymentFailure };

export async function showPlan(call: TerraformCall, planFile: string): Promise<ShownPlan> {
  const run = await runTerraform(call, 'show', ['show', '-json', '-no-color', planFile], { captureStdout: true });
  if (!run.ok) return { run };
  try {
    const plan = readTerraformPlan(run.stdout, 'terraform show -json');
    return { run, plan, sensitive: sensitiveValues(JSON.parse(run.stdout)) };
  } catch (error) {
    if (!(error instanceof PlanInputError)) throw error;
    return { run, failure: { step: 'show', message: `the saved plan could not be read: ${error.detail}` } };
  }
}
