/**
 * The deploy job's last attempt failed (GitHub unreachable past octokit's retries, five times in
 * a row): its deployment is not left `queued`, `planned` or `waiting` until the next push. It is
 * marked `failed` with the job's last error, and — as far as GitHub answers now — the `slipway
 * deploy` check run and the GitHub Deployment say so (`failure`; the Deployment is created for it
 * if the job never got that far, without `required_contexts`: it only carries the failure). A
 * deployment that already ended keeps its status: only reporting it failed, and that is logged.
 * A preview's destroy is not a deploy: its preview becomes `destroy-failed` and is tried again
 * (src/previews/run-preview-destroy.ts), with no check run or Deployment status.
 *
 * The same when the job's worker died on every attempt (the queue's give-up, deployJobGiveUp): a
 * deployment left `applying` then becomes `interrupted` as at a restart (when its workspace's
 * deploy lock is free: nobody applies it), and GitHub is told the same way.
 */
import type { Deps } from '../deps.ts';
import { scrubSecrets } from '../plan/sensitive.ts';
import { giveUpPreviewDestroy } from '../previews/run-preview-destroy.ts';
import { interruptIfFree, interruptedReason, workspaceName } from '../runner/index.ts';
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
  let ending: { status: 'failed' | 'interrupted'; reason: string; failure?: DeploymentFailure };
  if (deployment.status === 'applying') {
    // Nobody may call an apply interrupted but the holder of its workspace's deploy lock.
    const name = workspaceName({ app: deployment.app, environment: deployment.environment });
    if (!deps.runner) return 'still applying (no Terraform runner here to take its lock)';
    if (!(await interruptIfFree(db, deps.runner.locks, name, [deployment]))?.length) return `still applying: ${name} is locked by another run`;
    ending = { status: 'interrupted', reason: interruptedReason };
  } else {
    if (isFinished(deployment.status)) return `already ${deployment.status}; reporting it failed ${input.attempts} times`;
    const failure: DeploymentFailure = { step: 'runner', message: `the deploy job failed ${input.attempts} times; the last error: ${scrubSecrets(causeMessage(input.error))}` };
    await setDeploymentStatus(db, { deploymentId: deployment.id, status: 'failed', actor: 'slipway', reason: failure.message, failure });
    ending = { status: 'failed', reason: failure.message, failure };
  }
  deployment.status = ending.status;
  if (ending.failure) deployment.failure = ending.failure;
  const { status, reason, failure } = ending;
  const settings: DeploymentSettings = deployment.settings ?? { mode: 'auto', after: [], githubEnvironment: deployment.environment };
  try {
    if (settings.preview?.destroy) return await giveUpPreviewDestroy(deps, deployment, reason);
    const [owner, repo] = deployment.repository.split('/') as [string, string];
    const gh: GitHubWhere = { octokit: await deps.github.octokit(deployment.installationId), owner, repo };
    const htmlUrl = await deployCheckReporter(db, gh, deployment, { settings }).report({ status, reason, ...(failure ? { failure } : {}), withLog: true });
    const githubId = await ensureGitHubDeployment(db, gh, { ...deployment, settings: { ...settings, after: [] } });
    await reportGitHubStatus(gh, githubId, 'failure', { description: `not deployed: ${reason}`, ...(htmlUrl ? { logUrl: htmlUrl } : {}) });
    return `${status}: ${reason}`;
  } catch (error) {
    deps.log(`slipway: deployment ${deployment.id}: marked ${status} after ${input.attempts} attempts; GitHub could not be told: ${scrubSecrets(causeMessage(error))}`, { deployment: deployment.id, level: 'warn' });
    return `${status} (GitHub not told): ${reason}`;
  }
}
