// A branch's head commit, read conditionally: with the ETag of the last answer, GitHub answers
// 304 Not Modified when nothing changed, and a 304 does not count against the rate limit
// (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate).
import type { Octokit } from 'octokit';
import { toGitHubError } from './github-error.ts';
import { rateLimitOf, type RateLimit } from './rate-limit.ts';

export type BranchHead =
  | { modified: false; rate?: RateLimit }
  | { modified: true; sha: string; etag: string | null; rate?: RateLimit };

export async function readBranchHead(octokit: Octokit, input: { owner: string; repo: string; branch: string; etag?: string | null }): Promise<BranchHead> {
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', {
      owner: input.owner,
      repo: input.repo,
      branch: input.branch,
      ...(input.etag ? { headers: { 'if-none-match': input.etag } } : {}),
    });
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    const rate = rateLimitOf(response.headers as Record<string, string>);
    return { modified: true, sha: response.data.commit.sha, etag, ...(rate ? { rate } : {}) };
  } catch (error) {
    const e = error as { status?: number; response?: { headers?: Record<string, string> } };
    if (e.status === 304) {
      const rate = rateLimitOf(e.response?.headers);
      return { modified: false, ...(rate ? { rate } : {}) };
    }
    throw toGitHubError(`reading branch ${input.branch} of ${input.owner}/${input.repo}`, error);
  }
}
