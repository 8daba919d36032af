import { stateLockTimeout } from './plan-terraform.ts';
import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';

/**
 * `terraform apply <saved plan>`: exactly what was planned, or nothing. Terraform refuses a plan
 * the state moved on from ("Saved plan is stale"); a saved plan needs no `-auto-approve`.
 */
export function applyPlan(call: TerraformCall, planFile: string): Promise<TerraformRun> {
  return runTerraform(call, 'apply', ['apply', '-input=false', '-json', `-lock-timeout=${stateLockTimeout}`, planFile]);
}
