/**
 * The `deployment.apply` job (queued by `POST /api/v1/deployments/{id}/apply` or `/plan`,
 * src/api/request-apply.ts): the Terraform runner takes the deployment, plans it again against the
 * state as it is now, and applies that plan — the asking for it was the approval — or, for a plan,
 * stops at `planned` with Terraform's plan stored. Without a runner on this worker, an apply's
 * deployment fails with that reason instead of waiting forever. How it ended is appended to the
 * audit log under the actor who asked.
 */
import type { JobHandler } from '../jobs/run-worker.ts';
import { ApplyJobPayload } from '../api/apply-job.ts';
import type { Runner } from '../runner/create-runner.ts';
import { runDeployment } from '../runner/run-deployment.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { Db } from '../store/db.ts';
import { deploymentTerraformJson, findDeployment } from '../store/deployment-runs.ts';
import { setDeploymentStatus } from '../store/deployments.ts';
import type { Log } from '../deps.ts';

export type ApplyDeploymentDeps = { db: Db; runner?: Runner; log: Log };

export function applyDeploymentHandler(deps: ApplyDeploymentDeps): JobHandler {
  return async (job, ctx) => {
    const parsed = ApplyJobPayload.safeParse(job.payload);
    if (!parsed.success) {
      deps.log(`apply: job ${job.id} has no valid payload; dropped`, { job: job.id, level: 'error' });
      return;
    }
    const { deploymentId, actor, reason, mode } = parsed.data;
    const subject = `deployment:${deploymentId}`;
    const audit = (result: 'ok' | 'failed', details: Record<string, unknown>) => writeAudit(deps.db, { actor, source: 'worker', action: `deployment.${mode}.finished`, subject, result, details: { job: job.id, ...details } });
    const runnable = mode === 'apply' ? ['planned'] : ['queued', 'planned'];
    const deployment = await findDeployment(deps.db, deploymentId);
    const terraformJson = (await deploymentTerraformJson(deps.db, deploymentId)) as TerraformJson | null;
    if (!deployment || !runnable.includes(deployment.status) || !terraformJson || !deps.runner) {
      const why = !deployment
        ? 'the deployment is gone'
        : !runnable.includes(deployment.status)
          ? `the deployment is ${deployment.status}, no longer ${runnable.join(' or ')}`
          : !terraformJson
            ? 'the deployment has no Terraform configuration to apply'
            : 'no Terraform runner on this worker (see docs/runner.md)';
      if (deployment && runnable.includes(deployment.status) && mode === 'apply') {
        await setDeploymentStatus(deps.db, { deploymentId, status: 'failed', actor, reason: why, failure: { step: 'runner', message: why } });
      }
      await audit('failed', { reason: why });
      deps.log(`apply: deployment ${deploymentId} not applied: ${why}`, { deployment: deploymentId, job: job.id, level: 'warn' });
      return;
    }
    const result = await runDeployment(
      { db: deps.db, runner: deps.runner, log: deps.log },
      { deploymentId, terraformJson, workspace: { app: deployment.app, environment: deployment.environment }, actor, signal: ctx.signal, planOnly: mode === 'plan' },
    );
    await audit(result.status === (mode === 'plan' ? 'planned' : 'succeeded') ? 'ok' : 'failed', { status: result.status, ...(result.reason ? { reason: result.reason } : {}), ...(reason ? { asked: reason } : {}) });
    deps.log(`${mode}: deployment ${deploymentId} ${result.status}`, { deployment: deploymentId, job: job.id });
  };
}
