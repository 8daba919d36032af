import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface SetDeploymentStatusInput {
  owner: string;
  repo: string;
  deploymentId: number;
  state: DeploymentState;
  description?: string;
  environmentUrl?: string;
  logUrl?: string;
  /** GitHub marks earlier deployments of the environment inactive on success (default true). */
  autoInactive?: boolean;
}

export async function setDeploymentStatus(octokit: Octokit, input: SetDeploymentStatusInput): Promise<number> {
  const response = await withGitHubErrors(`setting deployment ${input.deploymentId} of ${input.owner}/${input.repo} to ${input.state}`, () =>
    octokit.rest.repos.createDeploymentStatus({
      owner: input.owner,
      repo: input.repo,
      deployment_id: input.deploymentId,
      state: input.state,
      // GitHub refuses descriptions over 140 characters.
      ...(input.description !== undefined ? { description: input.description.slice(0, 140) } : {}),
      ...(input.environmentUrl !== undefined ? { environment_url: input.environmentUrl } : {}),
      ...(input.logUrl !== undefined ? { log_url: input.logUrl } : {}),
      ...(input.autoInactive !== undefined ? { auto_inactive: input.autoInactive } : {}),
    }),
  );
  return response.data.id;
}
