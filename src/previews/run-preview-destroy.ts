/**
 * The deploy job's step for a preview (src/deploy/run-push-deployment.ts hands it over):
 *  - a destroy run: the runner plans `-destroy` against the preview's workspace and applies it;
 *    when the state is then empty the workspace is removed and the preview is `destroyed` (its
 *    GitHub Deployment goes `inactive`, its cost meter stops). Otherwise it is `destroy-failed`:
 *    tried again by the reconcile tick after a back-off (SLIPWAY_PREVIEW_DESTROY_RETRY, doubling,
 *    at most a day), said on the pull request and listed by `slipway status` until it is gone;
 *    A retry that finds its destroy already ended (the process died after the run, or the
 *    deployment was marked interrupted at start-up) settles the preview from how it ended, and a
 *    destroy the job gave up on is `destroy-failed` too: a preview is never left `destroying`;
 *  - any run's end: the PR comment's previews part is brought up to date (URL, status).
 */
import type { Deps } from '../deps.ts';
import { reportGitHubStatus } from '../deploy/github-deployment.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { interruptedReason, runDeployment } from '../runner/index.ts';
import { defaultPreviewSettings } from '../settings/preview-settings.ts';
import { deploymentTerraformJson, type DeploymentListing } from '../store/deployment-runs.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';
import { setEnvironmentRemoved } from '../store/environments.ts';
import type { DeploymentStatus } from '../store/schema.ts';
import { findPreview, lastPreviewApply, updatePreview, type PreviewListing } from '../store/previews.ts';
import { repriced } from './cost-so-far.ts';
import { postPreviewNotice, refreshPreviewSection } from './preview-notice.ts';

const maxRetryMs = 86_400_000;

export async function runPreviewDestroy(deps: Deps, deployment: DeploymentListing, options: { actor: string; attempt: number }): Promise<string> {
  const db = deps.store.db;
  const preview = await findPreview(db, deployment.environmentId);
  if (!preview) return 'no such preview';
  // A retry of a destroy that already ended (its process died after the run, or the worker was
  // restarted and found it applying: interrupted): the preview is settled from how it ended, once.
  if (isFinished(deployment.status)) {
    if (preview.state !== 'destroying') return `already ${deployment.status}`;
    return settleDestroy(deps, preview, deployment, { status: deployment.status, why: deployment.failure?.message ?? (deployment.status === 'interrupted' ? interruptedReason : `it ended ${deployment.status}`) });
  }
  const terraformJson = (await deploymentTerraformJson(db, deployment.id)) as TerraformJson;
  const result = await runDeployment(
    { db, runner: deps.runner!, log: deps.log },
    { deploymentId: deployment.id, terraformJson, workspace: { app: deployment.app, environment: deployment.environment }, destroy: true, actor: options.actor },
  );
  // A newer push brought the preview back meanwhile (its deployment superseded this one): it stands.
  const current = await findPreview(db, preview.environmentId);
  if (result.status === 'superseded' || current?.state === 'open') return `destroy ${result.status}: the preview is up again`;
  return settleDestroy(deps, preview, deployment, { status: result.status, why: result.failure?.message ?? result.reason ?? result.status });
}

/**
 * The deploy job gave up on a destroy (it failed on every attempt): the deployment is failed and
 * the preview `destroy-failed`, tried again after its back-off like any destroy that did not
 * finish. Not a `slipway deploy` check run or a failed GitHub Deployment: nothing was deployed.
 */
export async function giveUpPreviewDestroy(deps: Deps, deployment: DeploymentListing, why: string): Promise<string> {
  const preview = await findPreview(deps.store.db, deployment.environmentId);
  if (!preview || preview.state !== 'destroying') return `destroy given up: ${why}`;
  return settleDestroy(deps, preview, deployment, { status: 'failed', why });
}

async function settleDestroy(deps: Deps, preview: PreviewListing, deployment: DeploymentListing, ended: { status: DeploymentStatus; why: string }): Promise<string> {
  const db = deps.store.db;
  const where = { repository: preview.repository, repositoryId: preview.repositoryId, installationId: preview.installationId, pullRequest: preview.pullRequest };
  const now = deps.now();
  if (ended.status === 'succeeded') {
    await db.transaction(async (t) => {
      await updatePreview(t, preview.environmentId, { state: 'destroyed', retryAt: null, ...repriced(preview, null, now) });
      await setEnvironmentRemoved(t, preview.environmentId, now);
    });
    await deactivate(deps, preview);
    await refreshPreviewSection(deps, where);
    return 'destroyed; the workspace was removed';
  }
  const attempts = preview.destroyAttempts + 1;
  const retryMs = Math.min(maxRetryMs, (deps.settings.previews ?? defaultPreviewSettings).destroyRetryMs * 2 ** (attempts - 1));
  const retryAt = new Date(now.getTime() + retryMs);
  await updatePreview(db, preview.environmentId, { state: 'destroy-failed', destroyAttempts: attempts, retryAt, reason: `the destroy did not finish: ${ended.why}` });
  await postPreviewNotice(
    deps,
    where,
    `Destroying the preview \`${preview.environment}\` of ${preview.app} did not finish (attempt ${attempts}): ${ended.why}. Slipway tries again after ${retryAt.toISOString()}; until it is gone, \`slipway status\` lists it. Its log: \`slipway logs ${deployment.id}\`.`,
  );
  await refreshPreviewSection(deps, where);
  return `destroy ${ended.status} (attempt ${attempts}); retried after ${retryAt.toISOString()}`;
}

/** A preview's apply or plan ended: the comment's previews part says so. */
export async function previewRunEnded(deps: Deps, deployment: DeploymentListing): Promise<void> {
  const preview = await findPreview(deps.store.db, deployment.environmentId);
  if (!preview) return;
  await refreshPreviewSection(deps, { repository: preview.repository, repositoryId: preview.repositoryId, installationId: preview.installationId, pullRequest: preview.pullRequest });
}

async function deactivate(deps: Deps, preview: PreviewListing): Promise<void> {
  const last = await lastPreviewApply(deps.store.db, preview.environmentId);
  if (!last?.githubDeploymentId) return;
  const [owner, repo] = preview.repository.split('/') as [string, string];
  const octokit = await deps.github.octokit(preview.installationId);
  await reportGitHubStatus({ octokit, owner, repo }, last.githubDeploymentId, 'inactive', { description: `preview ${preview.environment} destroyed` });
}
