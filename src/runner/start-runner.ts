/**
 * The runner at a worker's start-up: built from the settings and described once (or why there is
 * none: the service then keeps recording plan-only deployments), and deployments a dead process
 * left `applying` marked `interrupted`. Throws RunnerError when the settings name a Terraform or a
 * CLI configuration that cannot be used: an operator who asked for one wants to know, not a quiet
 * fall-back to planning only.
 */
import type { Db } from '../store/db.ts';
import { openDeployLocks } from '../store/deploy-locks.ts';
import { createRunner, describeRunner, type CreateRunnerInput, type Runner } from './create-runner.ts';
import { recoverInterrupted } from './interrupt-abandoned.ts';

export async function startRunner(input: CreateRunnerInput & { db: Db }): Promise<Runner | undefined> {
  const log = input.log ?? (() => {});
  const made = await createRunner(input);
  if ('runner' in made) log(`slipway: Terraform runner: ${describeRunner(made.runner)}`);
  else log(`slipway: no Terraform runner (${made.missing}): deployments are planned, not applied`);
  const locks = 'runner' in made ? made.runner.locks : openDeployLocks({ databaseUrl: input.databaseUrl, log });
  await recoverInterrupted(input.db, locks, log);
  if (!('runner' in made)) await locks.close();
  return 'runner' in made ? made.runner : undefined;
}
