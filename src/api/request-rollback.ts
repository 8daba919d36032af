/**
 * A rollback asked for through the API: the target is judged now by the rollback's own rules
 * (src/rollback/choose-rollback-target.ts; a RollbackRefused is the caller's to answer with 409),
 * then the worker's job is queued (src/reconcile/rollback-deployment.ts) with the deploy job's
 * concurrency key, so it runs after any plan or apply of that app and environment, never beside one.
 */
import { enqueue, type Enqueued } from '../jobs/enqueue.ts';
import { chooseRollbackTarget } from '../rollback/choose-rollback-target.ts';
import type { Db } from '../store/db.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import { appEnvironmentOf } from '../store/rollback-targets.ts';
import { actorOf, type TokenAccess } from '../tokens/token-access.ts';
import { ApiError } from './api-error.ts';
import { rollbackJobKind, type RollbackJobPayload } from './rollback-job.ts';

export type RollbackRequested = Enqueued & { from: number | undefined };

export async function requestRollback(db: Db, input: { deployment: DeploymentListing; actor: TokenAccess; reason?: string }): Promise<RollbackRequested> {
  const { deployment } = input;
  const where = await appEnvironmentOf(db, deployment.id);
  if (!where) throw new ApiError(404, 'not_found', `no deployment ${deployment.id}`);
  // Throws RollbackRefused (already live, never succeeded, pruned…).
  const { live } = await chooseRollbackTarget(db, where, String(deployment.id));
  const payload: RollbackJobPayload = { deploymentId: deployment.id, actor: actorOf(input.actor), ...(live ? { from: live.id } : {}), ...(input.reason ? { reason: input.reason } : {}) };
  const job = await enqueue(db, {
    kind: rollbackJobKind,
    payload,
    idempotencyKey: null,
    // The deploy job's key (src/deploy/deploy-job.ts): one plan, apply or rollback per app and environment.
    concurrencyKey: `deploy:${where.appId}:${where.environment}`,
    maxAttempts: 1,
  });
  return { ...job, from: live?.id };
}
