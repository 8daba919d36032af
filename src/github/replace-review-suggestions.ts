// Suggestion comments on a pull request's lines: our earlier ones (found by marker) are deleted,
// then the new ones are posted as one review, so a PR never accumulates stale suggestions. Every
// line must be in the PR's diff (GitHub answers 422 otherwise): the caller picks them.
import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';
import { isMarked, withMarker } from './hidden-marker.ts';

export interface ReviewSuggestion {
  path: string;
  /** Line in the head version of the file (right side of the diff); the LAST line of a range. */
  line: number;
  /** First line of a multi-line range (before `line`, in the same hunk); a ```suggestion``` block then replaces the whole range. */
  startLine?: number;
  body: string;
}

export interface ReplaceReviewSuggestionsInput {
  owner: string;
  repo: string;
  pullNumber: number;
  commitId: string;
  marker: string;
  comments: ReviewSuggestion[];
  /** Body of the review itself. */
  body?: string;
}

export async function replaceReviewSuggestions(
  octokit: Octokit,
  input: ReplaceReviewSuggestionsInput,
): Promise<{ deleted: number; reviewId: number | null }> {
  const where = `${input.owner}/${input.repo}#${input.pullNumber}`;
  const earlier = await withGitHubErrors(`listing review comments on ${where}`, () =>
    octokit.paginate(octokit.rest.pulls.listReviewComments, { owner: input.owner, repo: input.repo, pull_number: input.pullNumber, per_page: 100 }),
  );
  let deleted = 0;
  for (const comment of earlier.filter((c) => isMarked(c, input.marker))) {
    await withGitHubErrors(`deleting review comment ${comment.id} on ${where}`, async () => {
      try {
        await octokit.rest.pulls.deleteReviewComment({ owner: input.owner, repo: input.repo, comment_id: comment.id });
      } catch (error) {
        // Already gone (someone resolved and deleted it): that is what we wanted.
        if ((error as { status?: number }).status !== 404) throw error;
      }
    });
    deleted += 1;
  }
  if (input.comments.length === 0) return { deleted, reviewId: null };
  const review = await withGitHubErrors(`posting review suggestions on ${where}`, () =>
    octokit.rest.pulls.createReview({
      owner: input.owner,
      repo: input.repo,
      pull_number: input.pullNumber,
      commit_id: input.commitId,
      event: 'COMMENT',
      body: withMarker(input.body ?? 'Slipway suggestions', input.marker),
      comments: input.comments.map((c) => ({
        path: c.path,
        // GitHub wants start_line strictly before line: a single line has none.
        ...(c.startLine !== undefined && c.startLine < c.line ? { start_line: c.startLine, start_side: 'RIGHT' as const } : {}),
        line: c.line,
        side: 'RIGHT' as const,
        body: withMarker(c.body, input.marker),
      })),
    }),
  );
  return { deleted, reviewId: review.data.id };
}
