/** The `deploy.verdict` job's handler for the worker, from the service's deps. */
import type { Deps } from '../deps.ts';
import type { JobHandler } from '../jobs/run-worker.ts';
import { readMetricSamples } from '../store/metric-samples.ts';
import { verdictJobKind, type VerdictJobPayload } from './schedule-verdict.ts';
import { runVerdictCheck } from './verdict-job.ts';

export function verdictJobHandlers(deps: Deps): Record<string, JobHandler> {
  const db = deps.store.db;
  return {
    [verdictJobKind]: async (job, ctx) => {
      const payload = job.payload as VerdictJobPayload;
      const result = await runVerdictCheck(
        {
          db,
          ...(deps.runner ? { runner: deps.runner } : {}),
          octokit: (installationId) => deps.github.octokit(installationId),
          readSamples: (scope) => (app, service, metric, from, to) => readMetricSamples(db, scope, app, service, metric, from, to),
          ...(deps.settings.prometheusUrl ? { prometheusUrl: deps.settings.prometheusUrl } : {}),
          log: deps.log,
          keepAlive: () => ctx.extendLease(),
        },
        payload,
      );
      if ('skipped' in result) deps.log(`slipway: verdict of deployment ${payload.deploymentId}: ${result.skipped}`);
      else if (result.final) deps.log(`slipway: verdict of deployment ${payload.deploymentId}: ${result.verdict.verdict}: ${result.verdict.reason}`);
    },
  };
}
