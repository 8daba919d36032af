/**
 * Report a pull request's evaluation: ONE comment (found by its hidden marker, edited in place,
 * showing the head sha it was built from), the recommendations' one-click suggestions as a review
 * (only on lines of the PR's diff; the others are in the comment) and the `slipway` check run on
 * the head commit.
 */
import { formatConfigError } from '../config/load.ts';
import { GitHubError, replaceReviewSuggestions, upsertPrComment } from '../github/index.ts';
import { renderComment } from '../report/render-comment.ts';
import { reportEvaluations } from '../report/report-evaluations.ts';
import { checkOutput } from './check-run-output.ts';
import type { PullRequestEvaluation } from './evaluate-pull-request.ts';
import { notInlineSentence, placeSuggestions } from './place-suggestions.ts';
import { publishCheckRun } from './publish-check-run.ts';
import type { RepositoryContext } from './repository-context.ts';

export const commentMarker = 'slipway:pr-comment';
export const suggestionMarker = 'slipway:suggestion';

export type PublishResult = {
  commentId: number;
  created: boolean;
  /** Review suggestions posted inline, and shown in the comment instead. */
  inline: number;
  inComment: number;
  /** Why GitHub refused the review (422), when it did: the comment then carries every suggestion. */
  reviewRefused?: string;
};

export async function publishPullRequest(
  repo: RepositoryContext,
  evaluation: PullRequestEvaluation,
  options: { final?: boolean; /** The previews part, rendered (preview-section.ts). */ previews?: string } = {},
): Promise<PublishResult> {
  const { pr, plans, configErrors } = evaluation;
  const final = options.final ?? false;
  const report = reportEvaluations(plans);
  const notes = [...evaluation.notes, ...configErrors.map((e) => `Config error: ${formatConfigError(e)}`), ...report.notes];
  if (pr.fork) notes.push('This pull request comes from a fork: its files were read as data, without credentials.');
  // One-click suggestions go inline only on lines of this PR's diff (GitHub refuses others); the
  // rest, with their replacement text, are in the comment.
  const placement = placeSuggestions(evaluation.recommendations, evaluation.commentableLines);
  const render = (inComment: typeof placement.inComment, reason: string | undefined, extraNotes: string[] = []) =>
    renderComment({
      apps: report.apps,
      headSha: pr.headSha,
      policies: report.policies,
      recommendations: evaluation.recommendations,
      suggestionsHere: { items: inComment, ...(reason ? { reason } : {}) },
      final,
      notes: [...notes, ...extraNotes],
      ...(options.previews ? { previews: options.previews } : {}),
    });
  const where = { owner: repo.owner, repo: repo.repo, issueNumber: pr.number, marker: commentMarker, known: repo.commentIds };
  const notInline = placement.inComment.length > 0 ? notInlineSentence(placement.inComment.length) : undefined;
  const comment = await upsertPrComment(repo.octokit, { ...where, body: render(placement.inComment, notInline) });
  const result: PublishResult = { commentId: comment.id, created: comment.created, inline: final ? 0 : placement.inline.length, inComment: placement.inComment.length };
  if (final) return result;

  if (placement.inline.length > 0 || evaluation.recommendations.length > 0) {
    try {
      await replaceReviewSuggestions(repo.octokit, {
        owner: repo.owner,
        repo: repo.repo,
        pullNumber: pr.number,
        commitId: pr.headSha,
        marker: suggestionMarker,
        body: `Slipway recommendations for ${pr.headSha.slice(0, 12)} (from this service's metrics)${notInline ? `. ${notInline}: they are in the Slipway comment.` : ''}`,
        comments: placement.inline,
      });
    } catch (error) {
      // GitHub refused the lines (422): retrying would be refused the same way. The comment takes
      // every suggestion instead, and says why.
      if (!(error instanceof GitHubError) || error.status !== 422) throw error;
      const all = evaluation.recommendations.filter((r) => r.suggestion);
      const note = `GitHub refused the review suggestions (${error.message}): all ${all.length} are listed under Recommendations instead.`;
      await upsertPrComment(repo.octokit, { ...where, body: render(all, undefined, [note]) });
      result.inline = 0;
      result.inComment = all.length;
      result.reviewRefused = error.message;
    }
  }
  await publishCheckRun(repo, pr.headSha, checkOutput({ trigger: 'pull-request', sha: pr.headSha, evaluations: plans, configErrors }));
  return result;
}
