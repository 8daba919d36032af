import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export type CommitPull = { number: number; state: string; merged: boolean };

/**
 * The pull requests a commit belongs to (`GET /repos/{o}/{r}/commits/{sha}/pulls`): for a commit
 * on the default branch, the merged one that brought it; otherwise the open ones whose head has it.
 * The merged one first, then by number (newest first): the PR that introduced the commit.
 */
export async function listCommitPulls(octokit: Octokit, input: { owner: string; repo: string; sha: string }): Promise<CommitPull[]> {
  return withGitHubErrors(`listing the pull requests of commit ${input.sha.slice(0, 12)} of ${input.owner}/${input.repo}`, async () => {
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: input.owner, repo: input.repo, commit_sha: input.sha, per_page: 100 });
    const pulls = data.map((p) => ({ number: p.number, state: p.state, merged: !!p.merged_at }));
    return pulls.sort((a, b) => Number(b.merged) - Number(a.merged) || b.number - a.number);
  });
}
