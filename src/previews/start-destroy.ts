/**
 * Take a preview down: a destroy deployment (trigger `preview-destroy`) recorded with the Terraform
 * JSON last applied to it, and a deploy job to run it — the same queue, concurrency key
 * (`deploy:<app>:<env>`) and runner as every deploy, so a destroy never runs beside an apply of the
 * same preview; older runs of the preview still queued are superseded first. A preview nothing was
 * ever applied to (or on a server without a runner) is simply marked destroyed.
 */
import type { Deps } from '../deps.ts';
import { deployJob } from '../deploy/deploy-job.ts';
import { enqueueMany } from '../jobs/index.ts';
import { createDeployment, lastAppliedDeployment } from '../store/deployments.ts';
import { setEnvironmentRemoved } from '../store/environments.ts';
import { updatePreview, type PreviewListing } from '../store/previews.ts';
import { supersedeOlderDeployments } from '../store/push-deployments.ts';
import { costSoFar } from './cost-so-far.ts';
import { previewDestroyTrigger, previewTrigger } from './last-preview-deployment.ts';

export type DestroyStart = 'queued' | 'nothing to destroy';

export async function startDestroy(deps: Pick<Deps, 'store' | 'runner' | 'now'>, preview: PreviewListing, reason: string): Promise<DestroyStart> {
  const db = deps.store.db;
  const now = deps.now();
  const applied = await lastAppliedDeployment(db, preview.appId, preview.environment, ['succeeded', 'failed', 'interrupted']);
  const lastApply = applied?.trigger === previewTrigger || applied?.trigger === previewDestroyTrigger ? applied : undefined;
  if (!deps.runner || !lastApply?.terraformJson) {
    await db.transaction(async (t) => {
      await supersedeOlderDeployments(t, { appId: preview.appId, environmentId: preview.environmentId, newerId: Number.MAX_SAFE_INTEGER, actor: 'slipway', reason });
      await updatePreview(t, preview.environmentId, { state: 'destroyed', reason, expiresAt: null, retryAt: null, costSoFarUsd: costSoFar(preview, now), pricedSince: null });
      await setEnvironmentRemoved(t, preview.environmentId, now);
    });
    return 'nothing to destroy';
  }
  await db.transaction(async (t) => {
    const recorded = await createDeployment(t, {
      appId: preview.appId,
      environmentId: preview.environmentId,
      commitSha: lastApply.commitSha,
      trigger: previewDestroyTrigger,
      terraformJson: lastApply.terraformJson,
      configHash: lastApply.configHash,
      settings: { mode: 'auto', after: [], githubEnvironment: preview.githubEnvironment, preview: { pullRequest: preview.pullRequest, destroy: true } },
      actor: 'slipway',
      reason,
    });
    const superseded = await supersedeOlderDeployments(t, { appId: preview.appId, environmentId: preview.environmentId, newerId: recorded.id, actor: 'slipway', reason: `superseded: ${reason}` });
    await enqueueMany(t, [
      deployJob({ deploymentId: recorded.id, appId: preview.appId, environment: preview.environment, action: 'run' }),
      ...superseded.map((deploymentId) => deployJob({ deploymentId, appId: preview.appId, environment: preview.environment, action: 'report' })),
    ]);
    await updatePreview(t, preview.environmentId, { state: 'destroying', reason, expiresAt: null, retryAt: null });
  });
  return 'queued';
}
