// A branch's head commit, read conditionally: with the ETag of the last answer, GitHub answers
// 304 Not Modified when nothing changed, and a 304 does not count against the rate limit
// (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate).
//
// The reconcile tick makes one such read per tracked repository per tick, nearly all 304s, so this
// one read goes through `fetch` with the installation token rather than octokit: octokit turns
// every 304 into a RequestError through its hooks and plugins, which cost about 1.2 ms of CPU per
// request against the loopback double (1,000 conditional reads: 1.6–2.4 s of CPU with octokit,
// 0.4–0.7 s with fetch, under load). What octokit's plugins would do is done here: a 401 renews
// the token once; a rate limit (403/429 with retry-after, or none remaining) is a GitHubError with
// `rateLimited`, which the tick answers by leaving that installation for the next tick.
import type { GitHubApp } from './app-auth.ts';
import { GitHubError } from './github-error.ts';
import { rateLimitOf, type RateLimit } from './rate-limit.ts';

export type BranchHead =
  | { modified: false; rate?: RateLimit }
  | { modified: true; sha: string; etag: string | null; rate?: RateLimit };

export type BranchRead = { installationId: number; owner: string; repo: string; branch: string; etag?: string | null; timeoutMs?: number };

export async function readBranchHead(github: Pick<GitHubApp, 'baseUrl' | 'installationToken' | 'forgetToken'>, input: BranchRead): Promise<BranchHead> {
  const what = `reading branch ${input.branch} of ${input.owner}/${input.repo}`;
  const url = `${github.baseUrl}/repos/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}/branches/${encodeURIComponent(input.branch)}`;
  for (let attempt = 1; ; attempt++) {
    const { token } = await github.installationToken(input.installationId);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `token ${token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'slipway-reconcile',
          ...(input.etag ? { 'if-none-match': input.etag } : {}),
        },
        signal: AbortSignal.timeout(input.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new GitHubError(`${what}: GitHub answered nothing: ${(error as Error).message}`, { status: 0, cause: error });
    }
    const headers = Object.fromEntries(response.headers);
    const rate = rateLimitOf(headers);
    const withRate = rate ? { rate } : {};
    if (response.status === 304) {
      await response.body?.cancel();
      return { modified: false, ...withRate };
    }
    const body = (await response.json().catch(() => ({}))) as { commit?: { sha?: unknown }; message?: unknown };
    if (response.ok && typeof body.commit?.sha === 'string') return { modified: true, sha: body.commit.sha, etag: headers.etag ?? null, ...withRate };
    if (response.status === 401 && attempt === 1) {
      github.forgetToken(input.installationId); // revoked or expired early: once more with a fresh one
      continue;
    }
    const retryAfter = headers['retry-after'] !== undefined ? Number(headers['retry-after']) : undefined;
    const rateLimited = (response.status === 403 || response.status === 429) && (retryAfter !== undefined || headers['x-ratelimit-remaining'] === '0');
    const message = typeof body.message === 'string' ? body.message.split('\n')[0]!.slice(0, 300) : response.ok ? 'no commit in the answer' : response.statusText;
    throw new GitHubError(`${what}: GitHub answered ${response.status}: ${message}`, {
      status: response.ok ? 502 : response.status,
      rateLimited,
      ...(retryAfter !== undefined && Number.isFinite(retryAfter) ? { retryAfterSec: retryAfter } : {}),
    });
  }
}
