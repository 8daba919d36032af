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
}

// GitHub refuses comment bodies over 65,536 characters.
const MAX_BODY = 65_536;

export async function findMarkedComment(octokit: Octokit, input: Omit<UpsertPrCommentInput, 'body'>): Promise<{ id: number; body: string } | undefined> {
  return withGitHubErrors(`listing comments on ${input.owner}/${input.repo}#${input.issueNumber}`, async () => {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner: input.owner,
      repo: input.repo,
      issue_number: input.issueNumber,
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find((comment) => isMarked(comment, input.marker));
      if (found) return { id: found.id, body: found.body ?? '' };
    }
    return undefined;
  });
}

export async function upsertPrComment(octokit: Octokit, input: UpsertPrCommentInput): Promise<{ id: number; created: boolean }> {
  const body = truncate(withMarker(input.body, input.marker));
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
  return { id: created.data.id, created: true };
}

function truncate(body: string): string {
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n… (truncated: the full report is in the check run)';
  return body.slice(0, MAX_BODY - note.length) + note;
}
