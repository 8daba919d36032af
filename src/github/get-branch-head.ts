import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

/** The commit a branch points at now; undefined when the branch is gone. */
export async function getBranchHead(octokit: Octokit, owner: string, repo: string, branch: string): Promise<string | undefined> {
  return withGitHubErrors(`reading the head of ${owner}/${repo}@${branch}`, async () => {
    try {
      const { data } = await octokit.rest.repos.getBranch({ owner, repo, branch });
      return data.commit.sha;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  });
}
