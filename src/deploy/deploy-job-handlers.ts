/** The deploy job's handler, for the worker (see deploy-job.ts for the steps and their keys). */
import type { Deps } from '../deps.ts';
import type { JobHandler } from '../jobs/index.ts';
import { deployJobKind, type DeployJobPayload } from './deploy-job.ts';
import { runPushDeployment } from './run-push-deployment.ts';

export function deployJobHandlers(deps: Deps): Record<string, JobHandler> {
  return {
    [deployJobKind]: async (job) => {
      const payload = job.payload as DeployJobPayload;
      const outcome = await runPushDeployment(deps, { ...payload, attempt: job.attempts });
      deps.log(`slipway: deployment ${payload.deploymentId} (${payload.action}): ${outcome}`);
    },
  };
}
