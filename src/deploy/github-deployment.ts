/**
 * A push's deployment as a GitHub Deployment: created when it is about to apply (GitHub checks
 * `required_contexts`, the `deploy.after` checks, at creation and refuses with 409 before they
 * succeed), found again by the Slipway id in its payload when a job is retried, and given statuses:
 * `in_progress`, then `success` (with the service URL and the log's page), `failure` (Terraform's
 * first error and the resource it names) or `inactive`, and `inactive` on the one a success replaces.
 */
import { createDeployment, findDeployment, setDeploymentStatus, type DeploymentState, type Octokit } from '../github/index.ts';
import type { Db } from '../store/db.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import { previousSucceededDeployment, setGitHubDeploymentId } from '../store/push-deployments.ts';

export type GitHubWhere = { octokit: Octokit; owner: string; repo: string };

export function githubEnvironmentOf(deployment: DeploymentListing): string {
  return deployment.settings?.githubEnvironment ?? deployment.environment;
}

export async function ensureGitHubDeployment(db: Db, gh: GitHubWhere, deployment: DeploymentListing): Promise<number> {
  if (deployment.githubDeploymentId) return deployment.githubDeploymentId;
  const where = { owner: gh.owner, repo: gh.repo };
  const environment = githubEnvironmentOf(deployment);
  const id =
    (await findDeployment(gh.octokit, { ...where, sha: deployment.commitSha, environment, payloadMatches: (p) => p.slipwayDeploymentId === deployment.id })) ??
    (await createDeployment(gh.octokit, {
      ...where,
      sha: deployment.commitSha,
      environment,
      description: `Slipway deployment ${deployment.id} of ${deployment.app}`,
      payload: { slipwayDeploymentId: deployment.id, app: deployment.app },
      production: deployment.environment === 'production',
      // A pull request's preview: GitHub shows it as temporary, and it goes when we say so.
      transient: deployment.settings?.preview !== undefined,
      requiredContexts: deployment.settings?.after ?? [],
    }));
  await setGitHubDeploymentId(db, deployment.id, id);
  deployment.githubDeploymentId = id;
  return id;
}

export async function reportGitHubStatus(
  gh: GitHubWhere,
  githubDeploymentId: number,
  state: DeploymentState,
  details: { description: string; environmentUrl?: string; logUrl?: string },
): Promise<void> {
  await setDeploymentStatus(gh.octokit, {
    owner: gh.owner,
    repo: gh.repo,
    deploymentId: githubDeploymentId,
    state,
    description: details.description,
    ...(details.environmentUrl ? { environmentUrl: details.environmentUrl } : {}),
    ...(details.logUrl ? { logUrl: details.logUrl } : {}),
    // The replaced deployment is marked inactive below, by us: one mechanism, the same on GHES.
    ...(state === 'success' ? { autoInactive: false } : {}),
  });
}

/** After a success: the environment's previous succeeded deployment, if GitHub knows it, becomes `inactive`. */
export async function deactivateReplaced(db: Db, gh: GitHubWhere, deployment: DeploymentListing): Promise<void> {
  const previous = await previousSucceededDeployment(db, { environmentId: deployment.environmentId, beforeId: deployment.id });
  if (!previous?.githubDeploymentId) return;
  await reportGitHubStatus(gh, previous.githubDeploymentId, 'inactive', { description: `replaced by ${deployment.commitSha.slice(0, 12)} (deployment ${deployment.id})` });
}
