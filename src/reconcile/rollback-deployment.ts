/**
 * The `deployment.rollback` job (queued by `POST /api/v1/deployments/{id}/rollback`,
 * src/api/request-rollback.ts): the one rollBack (src/rollback/roll-back.ts) re-applies the
 * deployment's recorded Terraform JSON as a new deployment (trigger `rollback`), only while the
 * deployment that was live when it was asked for still is. A refusal, or a worker without a
 * runner, is logged and audited, never retried. How it ended is appended to the audit log under
 * the actor who asked.
 */
import { RollbackJobPayload } from '../api/rollback-job.ts';
import type { Log } from '../deps.ts';
import type { JobHandler } from '../jobs/run-worker.ts';
import { rollBack } from '../rollback/roll-back.ts';
import { RollbackRefused } from '../rollback/rollback-refused.ts';
import type { Runner } from '../runner/create-runner.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { Db } from '../store/db.ts';
import { appEnvironmentOf } from '../store/rollback-targets.ts';

export type RollbackDeploymentDeps = { db: Db; runner?: Runner; log: Log };

export function rollbackDeploymentHandler(deps: RollbackDeploymentDeps): JobHandler {
  return async (job, ctx) => {
    const parsed = RollbackJobPayload.safeParse(job.payload);
    if (!parsed.success) {
      deps.log(`rollback: job ${job.id} has no valid payload; dropped`, { job: job.id, level: 'error' });
      return;
    }
    const { deploymentId, from, actor, reason } = parsed.data;
    const audit = (result: 'ok' | 'failed', details: Record<string, unknown>) =>
      writeAudit(deps.db, { actor, source: 'worker', action: 'deployment.rollback.finished', subject: `deployment:${deploymentId}`, result, details: { job: job.id, ...details } });
    const where = await appEnvironmentOf(deps.db, deploymentId);
    if (!where || !deps.runner) {
      const why = !where ? 'the deployment is gone' : 'no Terraform runner on this worker (see docs/runner.md)';
      await audit('failed', { reason: why });
      deps.log(`rollback: to deployment ${deploymentId} not done: ${why}`, { deployment: deploymentId, job: job.id, level: 'warn' });
      return;
    }
    try {
      const outcome = await rollBack(
        { db: deps.db, runner: deps.runner, log: deps.log },
        { where, to: String(deploymentId), ...(from !== undefined ? { from } : {}), actor, reason: reason ? `API: ${reason}` : 'API rollback', signal: ctx.signal },
      );
      const { result } = outcome;
      await audit(result.status === 'succeeded' ? 'ok' : 'failed', {
        rollback: result.deploymentId,
        status: result.status,
        ...(result.reason ? { reason: result.reason } : {}),
        ...(outcome.held ? { held: outcome.held } : {}),
      });
      deps.log(`rollback: to deployment ${deploymentId} as deployment ${result.deploymentId} ${result.status}`, { deployment: result.deploymentId, job: job.id });
    } catch (error) {
      if (!(error instanceof RollbackRefused)) throw error;
      await audit('failed', { refused: error.code, reason: error.message });
      deps.log(`rollback: to deployment ${deploymentId} refused: ${error.message}`, { deployment: deploymentId, job: job.id, level: 'warn' });
    }
  };
}
