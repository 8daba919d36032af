/**
 * Deployments left `applying` by a process that died become `interrupted`. Only a holder of the
 * workspace's deploy lock may decide that: the lock is held by whoever is applying, so holding it
 * proves nobody is. Nothing re-applies an interrupted deployment's saved plan; the next run plans
 * afresh against whatever state the interrupted apply left.
 */
import type { Db } from '../store/db.ts';
import { deploymentsLeftApplying, type DeploymentListing } from '../store/deployment-runs.ts';
import { setDeploymentStatus } from '../store/deployments.ts';
import type { DeployLocks } from '../store/deploy-locks.ts';
import { StoreError } from '../store/store-error.ts';
import { workspaceName } from './workspace.ts';

export const interruptedReason = 'the process applying it stopped before Terraform finished; it is not applied again: the next run plans afresh';

/** While holding the lock of `environmentId`'s workspace: its deployments other than `except` left applying. */
export async function interruptAbandoned(db: Db, environmentId: number, except: number): Promise<number[]> {
  const left = (await deploymentsLeftApplying(db, environmentId)).filter((d) => d.id !== except);
  const interrupted: number[] = [];
  for (const d of left) if (await markInterrupted(db, d.id)) interrupted.push(d.id);
  return interrupted;
}

/** False when it had moved on meanwhile (it finished between the listing and the lock). */
async function markInterrupted(db: Db, deploymentId: number): Promise<boolean> {
  try {
    await setDeploymentStatus(db, { deploymentId, status: 'interrupted', actor: 'slipway', reason: interruptedReason });
    return true;
  } catch (error) {
    if (error instanceof StoreError && error.code === 'invalid_transition') return false;
    throw error;
  }
}

/**
 * At start-up: every deployment left `applying` whose workspace lock is free (so its process is
 * gone) becomes `interrupted`. One whose lock is held is being applied by another process: left alone.
 */
export async function recoverInterrupted(db: Db, locks: DeployLocks, log: (message: string) => void = () => {}): Promise<DeploymentListing[]> {
  const recovered: DeploymentListing[] = [];
  const byWorkspace = new Map<string, DeploymentListing[]>();
  for (const d of await deploymentsLeftApplying(db)) {
    const name = workspaceName({ app: d.app, environment: d.environment });
    byWorkspace.set(name, [...(byWorkspace.get(name) ?? []), d]);
  }
  for (const [name, left] of byWorkspace) {
    for (const d of (await interruptIfFree(db, locks, name, left)) ?? []) {
      recovered.push(d);
      log(`slipway: deployment ${d.id} (${name}) was applying when its process stopped: marked interrupted`);
    }
  }
  return recovered;
}

/**
 * Workspace `name`'s deployments `left` applying become `interrupted` if its lock is free (their
 * process is gone): the ones marked. Undefined when the lock is held: someone is applying.
 */
export async function interruptIfFree<T extends { id: number }>(db: Db, locks: DeployLocks, name: string, left: readonly T[]): Promise<T[] | undefined> {
  const lock = await locks.tryAcquire(name);
  if (!lock) return undefined;
  try {
    const marked: T[] = [];
    for (const d of left) if (await markInterrupted(db, d.id)) marked.push(d);
    return marked;
  } finally {
    await lock.release();
  }
}
