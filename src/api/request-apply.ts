/**
 * An apply asked for through the API: the manual approval of a `planned` deployment. In one
 * transaction the deployment is checked to be `planned` still (row locked) and a `deployment.apply`
 * job is queued — once per deployment (idempotency key), one run per app and environment at a time
 * (concurrency key). The worker's handler (src/reconcile/apply-deployment.ts) runs it through the
 * Terraform runner, which plans again against the state as it is then and applies that plan.
 */
import { eq } from 'drizzle-orm';
import { applyJobKind, type ApplyJobPayload } from './apply-job.ts';
import { enqueue, type Enqueued } from '../jobs/enqueue.ts';
import type { Db } from '../store/db.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import { deployments } from '../store/schema.ts';
import { ApiError } from './api-error.ts';
import { actorOf, type TokenAccess } from '../tokens/token-access.ts';

export async function requestApply(db: Db, input: { deployment: DeploymentListing; actor: TokenAccess; reason?: string }): Promise<Enqueued> {
  const { deployment } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ status: deployments.status }).from(deployments).where(eq(deployments.id, deployment.id)).for('update');
    if (row?.status !== 'planned') {
      throw new ApiError(409, 'conflict', `deployment ${deployment.id} is ${row?.status ?? 'gone'}; only a planned deployment can be applied`);
    }
    const payload: ApplyJobPayload = { deploymentId: deployment.id, actor: actorOf(input.actor), ...(input.reason ? { reason: input.reason } : {}) };
    const job = await enqueue(tx as unknown as Db, {
      kind: applyJobKind,
      payload,
      idempotencyKey: `apply:${deployment.id}`,
      concurrencyKey: `deploy:${deployment.appId}:${deployment.environmentId}`,
      maxAttempts: 3,
    });
    if (!job.created) throw new ApiError(409, 'conflict', `an apply of deployment ${deployment.id} was already requested (job ${job.id})`);
    return job;
  });
}
