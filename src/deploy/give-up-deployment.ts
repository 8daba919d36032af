/**
 * The deploy job's last attempt failed (GitHub unreachable past octokit's retries, five times in
 * a row): its deployment is not left `queued`, `planned` or `waiting` until the next push. It is
 * marked `failed` with the job's last error, and — as far as GitHub answers now — the `slipway
 * deploy` check run and the GitHub Deployment say so (`failure`; the Deployment is created for it
 * if the job never got that far, without `required_contexts`: it only carries the failure). A
 * deployment that already ended keeps its status: only reporting it failed, and that is logged.
 * A preview's destroy is not a deploy: its preview becomes `destroy-failed` and is tried again
 * (src/previews/run-preview-destroy.ts), with no check run or Deployment status.
 */
import type { Deps } from '../deps.ts';
import { scrubSecrets } from '../plan/sensitive.ts';
import { giveUpPreviewDestroy } from '../previews/run-preview-destroy.ts';
import { findDeployment } from '../store/deployment-runs.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';
import { setDeploymentStatus } from '../store/deployments.ts';
import type { DeploymentFailure, DeploymentSettings } from '../store/schema.ts';
import { causeMessage } from '../store/store-error.ts';
import { ensureGitHubDeployment, reportGitHubStatus, type GitHubWhere } from './github-deployment.ts';
import { deployCheckReporter } from './report-deploy-check.ts';

export async function giveUpDeployment(deps: Deps, input: { deploymentId: number; attempts: number; error: unknown }): Promise<string> {
  const db = deps.store.db;
  const deployment = await findDeployment(db, input.deploymentId);
  if (!deployment) return 'no such deployment';
  if (isFinished(deployment.status)) return `already ${deployment.status}; reporting it failed ${input.attempts} times`;
  const failure: DeploymentFailure = { step: 'runner', message: `the deploy job failed ${input.attempts} times; the last error: ${scrubSecrets(causeMessage(input.error))}` };
  await setDeploymentStatus(db, { deploymentId: deployment.id, status: 'failed', actor: 'slipway', reason: failure.message, failure });
  deployment.status = 'failed';
  deployment.failure = failure;
  const settings: DeploymentSettings = deployment.settings ?? { mode: 'auto', after: [], githubEnvironment: deployment.environment };
  try {
    if (settings.preview?.destroy) return await giveUpPreviewDestroy(deps, deployment, failure.message);
    const [owner, repo] = deployment.repository.split('/') as [string, string];
    const gh: GitHubWhere = { octokit: await deps.github.octokit(deployment.installationId), owner, repo };
    const htmlUrl = await deployCheckReporter(db, gh, deployment, { settings }).report({ status: 'failed', reason: failure.message, failure, withLog: true });
    const githubId = await ensureGitHubDeployment(db, gh, { ...deployment, settings: { ...settings, after: [] } });
    await reportGitHubStatus(gh, githubId, 'failure', { description: `not deployed: ${failure.message}`, ...(htmlUrl ? { logUrl: htmlUrl } : {}) });
    return `failed: ${failure.message}`;
  } catch (error) {
    deps.log(`slipway: deployment ${deployment.id}: marked failed after ${input.attempts} attempts; GitHub could not be told: ${scrubSecrets(causeMessage(error))}`, { deployment: deployment.id, level: 'warn' });
    return `failed (GitHub not told): ${failure.message}`;
  }
}
