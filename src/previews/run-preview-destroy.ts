/**
 * The deploy job's step for a preview (src/deploy/run-push-deployment.ts hands it over):
 *  - a destroy run: the runner plans `-destroy` against the preview's workspace and applies it;
 *    when the state is then empty the workspace is removed and the preview is `destroyed` (its
 *    GitHub Deployment goes `inactive`, its cost meter stops). Otherwise it is `destroy-failed`:
 *    tried again by the reconcile tick after a back-off (SLIPWAY_PREVIEW_DESTROY_RETRY, doubling,
 *    at most a day), said on the pull request and listed by `slipway status` until it is gone;
 *  - any run's end: the PR comment's previews part is brought up to date (URL, status).
 */
import type { Deps } from '../deps.ts';
import { reportGitHubStatus } from '../deploy/github-deployment.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { runDeployment } from '../runner/index.ts';
import { defaultPreviewSettings } from '../settings/preview-settings.ts';
import { deploymentTerraformJson, type DeploymentListing } from '../store/deployment-runs.ts';
import { setEnvironmentRemoved } from '../store/environments.ts';
import { findPreview, lastPreviewApply, updatePreview, type PreviewListing } from '../store/previews.ts';
import { repriced } from './cost-so-far.ts';
import { postPreviewNotice, refreshPreviewSection } from './preview-notice.ts';

const maxRetryMs = 86_400_000;

export async function runPreviewDestroy(deps: Deps, deployment: DeploymentListing, options: { actor: string; attempt: number }): Promise<string> {
  const db = deps.store.db;
  const preview = await findPreview(db, deployment.environmentId);
  if (!preview) return 'no such preview';
  const terraformJson = (await deploymentTerraformJson(db, deployment.id)) as TerraformJson;
  const result = await runDeployment(
    { db, runner: deps.runner!, log: deps.log },
    { deploymentId: deployment.id, terraformJson, workspace: { app: deployment.app, environment: deployment.environment }, destroy: true, actor: options.actor },
  );
  const where = { repository: preview.repository, repositoryId: preview.repositoryId, installationId: preview.installationId, pullRequest: preview.pullRequest };
  const now = deps.now();
  // A newer push brought the preview back meanwhile (its deployment superseded this one): it stands.
  const current = await findPreview(db, preview.environmentId);
  if (result.status === 'superseded' || current?.state === 'open') return `destroy ${result.status}: the preview is up again`;

  if (result.status === 'succeeded') {
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
  const why = result.failure?.message ?? result.reason ?? result.status;
  await updatePreview(db, preview.environmentId, { state: 'destroy-failed', destroyAttempts: attempts, retryAt, reason: `the destroy did not finish: ${why}` });
  await postPreviewNotice(
    deps,
    where,
    `Destroying the preview \`${preview.environment}\` of ${preview.app} did not finish (attempt ${attempts}): ${why}. Slipway tries again after ${retryAt.toISOString()}; until it is gone, \`slipway status\` lists it. Its log: \`slipway logs ${deployment.id}\`.`,
  );
  await refreshPreviewSection(deps, where);
  return `destroy ${result.status} (attempt ${attempts}); retried after ${retryAt.toISOString()}`;
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
