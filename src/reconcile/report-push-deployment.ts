/**
 * A push's deployment on GitHub: a Deployment of the commit (per app `<app>/production` when the
 * repository holds several apps) and its statuses, `in_progress` then `pending` (planned, not
 * applied) or `failure` (blocked by policy). A retried job (GitHub failed after the deployment
 * was created) finds and reuses it by the Slipway deployment id in its payload.
 */
import { createDeployment, findDeployment, setDeploymentStatus } from '../github/index.ts';
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import type { DeploymentRow } from '../store/deployments.ts';
import type { RepositoryContext } from './repository-context.ts';

export async function reportPushDeployment(repo: RepositoryContext, input: { evaluation: AppEvaluation; deployment: DeploymentRow; manyApps: boolean }): Promise<void> {
  const { evaluation, deployment } = input;
  const { sha, environment } = evaluation;
  const name = evaluation.app.config.name;
  const githubEnvironment = input.manyApps ? `${name}/${environment}` : environment;
  const where = { owner: repo.owner, repo: repo.repo };
  const existing = await findDeployment(repo.octokit, {
    ...where,
    sha,
    environment: githubEnvironment,
    payloadMatches: (payload) => payload.slipwayDeploymentId === deployment.id,
  });
  const id =
    existing ??
    (await createDeployment(repo.octokit, {
      ...where,
      sha,
      environment: githubEnvironment,
      description: `Slipway deployment ${deployment.id} of ${name}`,
      payload: { slipwayDeploymentId: deployment.id, app: name },
      production: true,
    }));
  await setDeploymentStatus(repo.octokit, { ...where, deploymentId: id, state: 'in_progress', description: 'planning' });
  const blocked = deployment.status === 'failed';
  await setDeploymentStatus(repo.octokit, {
    ...where,
    deploymentId: id,
    state: blocked ? 'failure' : 'pending',
    description: blocked ? 'blocked by policy: see the slipway check run' : 'planned; not applied: no Terraform runner is configured',
  });
}
