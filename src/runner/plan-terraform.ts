import { runTerraform, type TerraformCall, type TerraformRun } from './run-terraform.ts';

/** How long a command waits for Terraform's state lock (someone else's apply) before it fails. */
export const stateLockTimeout = '60s';

/**
 * `terraform plan -out`: the saved plan that `apply` will carry out exactly. With
 * `-detailed-exitcode`, exit 2 means there are changes (0: none; 1: error).
 */
export async function planTerraform(call: TerraformCall, planFile: string, options: { destroy?: boolean } = {}): Promise<TerraformRun & { changes: boolean }> {
  const run = await runTerraform(
    call,
    'plan',
    // `-destroy`: a plan that removes everything the state holds (a preview going away).
    ['plan', '-input=false', '-json', '-detailed-exitcode', `-lock-timeout=${stateLockTimeout}`, ...(options.destroy ? ['-destroy'] : []), `-out=${planFile}`],
    { okExitCodes: [0, 2] },
  );
  return { ...run, changes: run.exitCode === 2 };
}
