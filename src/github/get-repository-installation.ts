import type { Octokit } from 'octokit';
import { GitHubError, withGitHubErrors } from './github-error.ts';

/**
 * Which installation of this App holds `owner/repo` (`GET /repos/{owner}/{repo}/installation`, as
 * the App: no installation token is needed or minted), or undefined when the App is not installed
 * on it (GitHub answers 404).
 */
export async function getRepositoryInstallation(appOctokit: Octokit, owner: string, repo: string): Promise<number | undefined> {
  try {
    const { data } = await withGitHubErrors(`finding the installation of ${owner}/${repo}`, () => appOctokit.rest.apps.getRepoInstallation({ owner, repo }));
    return data.id;
  } catch (error) {
    if (error instanceof GitHubError && error.status === 404) return undefined;
    throw error;
  }
}
