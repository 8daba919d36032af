/**
 * A run asked for through the API, for the worker's Terraform runner:
 * - `apply`: the manual approval of a `planned` deployment; queued once per deployment
 *   (idempotency key). A deployment from a push gets the deploy job's `apply`, as GitHub's Apply
 *   button does (src/deploy/push-apply-job.ts). One with no GitHub repository behind it
 *   (`slipway apply`'s, under the local installation) has no checks, statuses or repository rules
 *   to keep: it stays on the direct path, src/reconcile/apply-deployment.ts, which plans again
 *   against the state as it is then and applies that plan.
 * - `plan`: Terraform's plan of a `queued` or `planned` deployment against the current state,
 *   stored with it (`terraformPlan`); it stays `planned`, nothing applied. A push's deployment gets
 *   the deploy job's `plan` (its check run reports the plan); a local one the direct path.
 * In one transaction the deployment's status is checked (row locked) and the job queued, one run
 * per app and environment at a time (concurrency key).
 */
import { applyJobKind, type ApplyJobPayload } from './apply-job.ts';
import { pushApplyJob } from '../deploy/push-apply-job.ts';
import { enqueue, type Enqueued } from '../jobs/enqueue.ts';
import type { Db } from '../store/db.ts';
import { lockDeploymentStatus, type DeploymentListing } from '../store/deployment-runs.ts';
import type { DeploymentStatus } from '../store/schema.ts';
import { ApiError } from './api-error.ts';
import { actorOf, type TokenAccess } from '../tokens/token-access.ts';

const from: Record<'apply' | 'plan', readonly DeploymentStatus[]> = { apply: ['planned'], plan: ['queued', 'planned'] };

export async function requestApply(db: Db, input: { deployment: DeploymentListing; actor: TokenAccess; reason?: string; mode?: 'apply' | 'plan' }): Promise<Enqueued> {
  const { deployment } = input;
  const mode = input.mode ?? 'apply';
  return db.transaction(async (tx) => {
    const status = await lockDeploymentStatus(tx as unknown as Db, deployment.id);
    if (!status || !from[mode].includes(status)) {
      throw new ApiError(409, 'conflict', `deployment ${deployment.id} is ${status ?? 'gone'}; only a ${from[mode].join(' or ')} deployment can be ${mode === 'apply' ? 'applied' : 'planned'}`);
    }
    const actor = actorOf(input.actor);
    const pushApply = pushApplyJob(deployment, actor, mode);
    const payload: ApplyJobPayload = { deploymentId: deployment.id, actor, mode, ...(input.reason ? { reason: input.reason } : {}) };
    const job = await enqueue(
      tx as unknown as Db,
      pushApply ?? {
        kind: applyJobKind,
        payload,
        // An apply once per deployment; a plan as often as asked (the token's rate limit bounds it).
        idempotencyKey: mode === 'apply' ? `apply:${deployment.id}` : null,
        // The deploy job's key (src/deploy/deploy-job.ts): one plan or apply per app and environment.
        concurrencyKey: `deploy:${deployment.appId}:${deployment.environment}`,
        maxAttempts: 3,
      },
    );
    if (!job.created) throw new ApiError(409, 'conflict', `an apply of deployment ${deployment.id} was already requested (job ${job.id})`);
    return job;
  });
}
