// GitHub Deployments: one per environment and commit, then statuses as it progresses.
import type { Octokit } from 'octokit';
import { GitHubError, withGitHubErrors } from './github-error.ts';

export interface CreateDeploymentInput {
  owner: string;
  repo: string;
  /** The exact commit sha deployed. */
  sha: string;
  environment: string;
  description?: string;
  payload?: Record<string, unknown>;
  /** Preview environments: GitHub may clean them up (`transient_environment`). */
  transient?: boolean;
  production?: boolean;
  task?: string;
  /**
   * Check runs or statuses GitHub verifies on the commit before it creates the deployment (a 409
   * otherwise): a push's `deploy.after`. Default none: our own `slipway` check is not waited for.
   */
  requiredContexts?: string[];
}

export async function createDeployment(octokit: Octokit, input: CreateDeploymentInput): Promise<number> {
  const response = await withGitHubErrors(`creating deployment of ${input.owner}/${input.repo}@${input.sha.slice(0, 12)} to ${input.environment}`, () =>
    octokit.rest.repos.createDeployment({
      owner: input.owner,
      repo: input.repo,
      ref: input.sha,
      environment: input.environment,
      // We deploy the commit as pushed: no merging of the default branch into it, and no waiting
      // on commit statuses other than the ones named (our own check would otherwise block it).
      auto_merge: false,
      required_contexts: input.requiredContexts ?? [],
      transient_environment: input.transient ?? false,
      production_environment: input.production ?? !input.transient,
      ...(input.description !== undefined ? { description: input.description.slice(0, 140) } : {}),
      ...(input.payload !== undefined ? { payload: input.payload } : {}),
      ...(input.task !== undefined ? { task: input.task } : {}),
    }),
  );
  const data = response.data as { id?: number; message?: string };
  // 202 means GitHub merged instead of deploying; with auto_merge false it should not happen.
  if (typeof data.id !== 'number') throw new GitHubError(`creating deployment: GitHub answered ${response.status}: ${data.message ?? 'no deployment id'}`, { status: response.status });
  return data.id;
}

export interface FindDeploymentInput {
  owner: string;
  repo: string;
  sha: string;
  environment: string;
  /** Which of the commit's deployments is ours, judged by the payload we created it with. */
  payloadMatches: (payload: Record<string, unknown>) => boolean;
}

/**
 * The id of a deployment of this commit and environment that we created earlier, if any: a job
 * retried after creating its GitHub Deployment reuses it instead of creating a second one.
 */
export async function findDeployment(octokit: Octokit, input: FindDeploymentInput): Promise<number | undefined> {
  const response = await withGitHubErrors(`listing deployments of ${input.owner}/${input.repo}@${input.sha.slice(0, 12)}`, () =>
    octokit.rest.repos.listDeployments({ owner: input.owner, repo: input.repo, sha: input.sha, environment: input.environment, per_page: 100 }),
  );
  for (const deployment of response.data) {
    // GitHub returns the payload as it was sent: an object, or a string when a string was sent.
    const raw = deployment.payload as unknown;
    let payload: unknown = raw;
    if (typeof raw === 'string') {
      try {
        payload = JSON.parse(raw);
      } catch {
        continue;
      }
    }
    if (payload && typeof payload === 'object' && input.payloadMatches(payload as Record<string, unknown>)) return deployment.id;
  }
  return undefined;
}
