// One living comment per pull request: found by its hidden marker through every page of comments,
// edited in place; a new comment only when none of ours exists.
import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';
import { isMarked, withMarker } from './hidden-marker.ts';

export interface UpsertPrCommentInput {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  /** e.g. `slipway:plan`; stored as `<!-- slipway:plan -->` in the body. */
  marker: string;
  /**
   * Comment ids remembered between calls (GitHubApp.commentIds): a known one is edited straight
   * away; when it is gone (404: deleted on GitHub) the comments are listed as without it.
   */
  known?: { get(key: string): number | undefined; set(key: string, id: number): void };
}

// GitHub refuses comment bodies over 65,536 characters.
const MAX_BODY = 65_536;

type Target = Omit<UpsertPrCommentInput, 'body' | 'known'>;

/** Our comment (the oldest carrying the marker), looking through every page; stops at the first found. */
export async function findMarkedComment(octokit: Octokit, input: Target): Promise<{ id: number; body: string } | undefined> {
  return (await listMarkedComments(octokit, input, true))[0];
}

async function listMarkedComments(octokit: Octokit, input: Target, firstOnly: boolean): Promise<Array<{ id: number; body: string }>> {
  return withGitHubErrors(`listing comments on ${input.owner}/${input.repo}#${input.issueNumber}`, async () => {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner: input.owner,
      repo: input.repo,
      issue_number: input.issueNumber,
      per_page: 100,
    });
    const found: Array<{ id: number; body: string }> = [];
    for await (const page of pages) {
      for (const comment of page.data) {
        if (!isMarked(comment, input.marker)) continue;
        found.push({ id: comment.id, body: comment.body ?? '' });
        if (firstOnly) return found;
      }
    }
    return found;
  });
}

export async function upsertPrComment(octokit: Octokit, input: UpsertPrCommentInput): Promise<{ id: number; created: boolean }> {
  const key = `${input.owner}/${input.repo}#${input.issueNumber}:${input.marker}`;
  const knownId = input.known?.get(key);
  const body = truncate(withMarker(input.body, input.marker));
  if (knownId !== undefined) {
    try {
      await withGitHubErrors(`updating comment ${knownId} on ${input.owner}/${input.repo}#${input.issueNumber}`, () =>
        octokit.rest.issues.updateComment({ owner: input.owner, repo: input.repo, comment_id: knownId, body }),
      );
      return { id: knownId, created: false };
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error; // gone: find or create it below
    }
  }
  const result = await findOrCreate(octokit, input, body);
  input.known?.set(key, result.id);
  return result;
}

async function findOrCreate(octokit: Octokit, input: UpsertPrCommentInput, body: string): Promise<{ id: number; created: boolean }> {
  const existing = await findMarkedComment(octokit, input);
  if (existing) {
    if (existing.body !== body) {
      await withGitHubErrors(`updating comment ${existing.id} on ${input.owner}/${input.repo}#${input.issueNumber}`, () =>
        octokit.rest.issues.updateComment({ owner: input.owner, repo: input.repo, comment_id: existing.id, body }),
      );
    }
    return { id: existing.id, created: false };
  }
  const created = await withGitHubErrors(`commenting on ${input.owner}/${input.repo}#${input.issueNumber}`, () =>
    octokit.rest.issues.createComment({ owner: input.owner, repo: input.repo, issue_number: input.issueNumber, body }),
  );
  // Two jobs for one pull request may both have found nothing and both commented: the oldest
  // comment stays (edited to this body), the others go, so the PR still shows one.
  const ours = (await listMarkedComments(octokit, input, false)).sort((a, b) => a.id - b.id);
  const keep = ours[0];
  if (!keep || keep.id === created.data.id) return { id: created.data.id, created: true };
  for (const extra of ours.slice(1)) {
    await withGitHubErrors(`removing duplicate comment ${extra.id} on ${input.owner}/${input.repo}#${input.issueNumber}`, async () => {
      try {
        await octokit.rest.issues.deleteComment({ owner: input.owner, repo: input.repo, comment_id: extra.id });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error; // the other job removed it already
      }
    });
  }
  if (keep.body !== body) {
    await withGitHubErrors(`updating comment ${keep.id} on ${input.owner}/${input.repo}#${input.issueNumber}`, () =>
      octokit.rest.issues.updateComment({ owner: input.owner, repo: input.repo, comment_id: keep.id, body }),
    );
  }
  return { id: keep.id, created: false };
}

function truncate(body: string): string {
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n… (truncated: the full report is in the check run)';
  return body.slice(0, MAX_BODY - note.length) + note;
}
