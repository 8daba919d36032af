import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export interface RepositoryInfo {
  id: number;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  cloneUrl: string;
}

export async function getRepository(octokit: Octokit, owner: string, repo: string): Promise<RepositoryInfo> {
  const { data } = await withGitHubErrors(`reading repository ${owner}/${repo}`, () => octokit.rest.repos.get({ owner, repo }));
  return { id: data.id, fullName: data.full_name, defaultBranch: data.default_branch, private: data.private, cloneUrl: data.clone_url };
}
