/**
 * The deploy job's handler, for the worker (see deploy-job.ts for the steps and their keys). A
 * failure is thrown back to the queue, which retries it; the last attempt's failure first ends the
 * deployment (give-up-deployment.ts), so it is never left mid-way until the next push.
 */
import type { Deps } from '../deps.ts';
import type { JobHandler } from '../jobs/index.ts';
import { deployJobKind, type DeployJobPayload } from './deploy-job.ts';
import { giveUpDeployment } from './give-up-deployment.ts';
import { runPushDeployment } from './run-push-deployment.ts';

export function deployJobHandlers(deps: Deps): Record<string, JobHandler> {
  return {
    [deployJobKind]: async (job) => {
      const payload = job.payload as DeployJobPayload;
      let outcome: string;
      try {
        outcome = await runPushDeployment(deps, { ...payload, attempt: job.attempts });
      } catch (error) {
        if (job.attempts >= job.maxAttempts) {
          const given = await giveUpDeployment(deps, { deploymentId: payload.deploymentId, attempts: job.attempts, error }).catch((e: unknown) => `could not be marked failed: ${(e as Error).message}`);
          deps.log(`slipway: deployment ${payload.deploymentId} (${payload.action}), last attempt: ${given}`, { deployment: payload.deploymentId, level: 'error' });
        }
        throw error;
      }
      deps.log(`slipway: deployment ${payload.deploymentId} (${payload.action}): ${outcome}`);
    },
  };
}

/**
 * The queue's give-up (src/jobs/run-worker.ts `giveUp`): the deploy job's worker died on every
 * attempt, so no handler saw its last failure. Its deployment ends as after a last failed attempt.
 */
export function deployJobGiveUp(deps: Deps): Record<string, JobHandler> {
  return {
    [deployJobKind]: async (job) => {
      const payload = job.payload as DeployJobPayload;
      const error = new Error(`${job.lastError ? `${job.lastError}; ` : ''}its worker stopped on attempt ${job.maxAttempts} of ${job.maxAttempts}`);
      const given = await giveUpDeployment(deps, { deploymentId: payload.deploymentId, attempts: job.maxAttempts, error });
      deps.log(`slipway: deployment ${payload.deploymentId} (${payload.action}), its worker stopped on every attempt: ${given}`, { deployment: payload.deploymentId, level: 'error' });
    },
  };
}
