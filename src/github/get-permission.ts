import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export type RepoPermission = 'admin' | 'write' | 'read' | 'none';

/** A user's permission on a repository (GitHub folds maintain into write and triage into read). */
export async function getPermission(octokit: Octokit, owner: string, repo: string, user: string): Promise<RepoPermission> {
  return withGitHubErrors(`reading ${user}'s permission on ${owner}/${repo}`, async () => {
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: user });
      const permission = data.permission as string;
      if (permission === 'admin' || permission === 'write' || permission === 'read') return permission;
      if (permission === 'maintain') return 'write';
      if (permission === 'triage') return 'read';
      return 'none';
    } catch (error) {
      // Not a collaborator (or no such user): no permission, not a failure.
      if ((error as { status?: number }).status === 404) return 'none';
      throw error;
    }
  });
}
