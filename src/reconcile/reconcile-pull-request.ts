/**
 * `pull_request` opened / synchronize / reopened / ready_for_review: plan the head and update the
 * one comment. `closed`: the same, marked final (the last plan made for it).
 */
import { GitError } from '../git/index.ts';
import { findMarkedComment, upsertPrComment } from '../github/index.ts';
import { finishedCommentBody, readCommentState } from '../report/comment-state.ts';
import { evaluatePullRequest, pullRequestRef, type PullRequestRef } from './evaluate-pull-request.ts';
import { destroyPreviewsOf } from '../previews/destroy-previews-of.ts';
import { previewViews } from '../previews/preview-views.ts';
import { startPreviews } from '../previews/start-previews.ts';
import { previewApprovedBy } from './preview-approval.ts';
import { renderPreviewSection } from '../report/preview-section.ts';
import { commentMarker, publishPullRequest } from './publish-pull-request.ts';
import { repositoryContext, type RepositoryContext } from './repository-context.ts';
import type { EventPayload } from './parse-event.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export async function reconcilePullRequest(ctx: WebhookContext, event: EventPayload<'pull_request'>): Promise<Outcome> {
  const repo = await repositoryContext(ctx, event);
  return reconcilePullRequestAt(ctx, repo, pullRequestRef(event.pull_request, repo.fullName), event.action === 'closed' ? ((event.pull_request as { merged?: boolean }).merged ? 'merged' : 'closed') : 'open');
}

/** The PR at a head (from a webhook, or read from the API for `/slipway preview`): planned, its previews started or destroyed, the comment updated. */
export async function reconcilePullRequestAt(ctx: WebhookContext, repo: RepositoryContext, pr: PullRequestRef, state: 'open' | 'closed' | 'merged'): Promise<Outcome> {
  const final = state !== 'closed' && state !== 'merged' ? false : true;
  // Closed or merged: its previews go first, whatever becomes of the plan.
  const destroyed = final ? await destroyPreviewsOf(ctx.deps, repo, pr.number, `the pull request was ${state}`) : [];
  let evaluation;
  try {
    evaluation = await evaluatePullRequest(ctx, repo, pr);
  } catch (error) {
    // A closed PR whose head can no longer be fetched: finish the comment as it stands.
    if (!final || !(error instanceof GitError)) throw error;
    return finishComment(repo, pr.number, pr.headSha);
  }
  const approvedBy = pr.fork && evaluation.previews.length > 0 ? await previewApprovedBy(ctx, repo, pr) : undefined;
  const previews = final ? destroyed : await startPreviews(ctx.deps, pr, evaluation.previews, { manyApps: evaluation.plans.length > 1, ...(approvedBy ? { approvedBy } : {}) });
  const section = renderPreviewSection(await previewViews(ctx.deps.store.db, { repositoryId: repo.repositoryId, pullRequest: pr.number }, ctx.deps.now()));
  const comment = await publishPullRequest(repo, evaluation, { final, previews: section });
  const suggestions = comment.inline + comment.inComment > 0 ? `; suggestions: ${comment.inline} inline, ${comment.inComment} in the comment` : '';
  const refused = comment.reviewRefused ? `; review refused, not retried: ${comment.reviewRefused}` : '';
  const previewLine = previews.length > 0 ? `; previews: ${previews.join('; ')}` : '';
  return `#${pr.number}@${pr.headSha.slice(0, 12)}: comment ${comment.commentId} ${comment.created ? 'created' : 'updated'}${final ? ' (final)' : ''}${suggestions}${refused}${previewLine}`;
}

async function finishComment(repo: RepositoryContext, number: number, headSha: string): Promise<Outcome> {
  const existing = await findMarkedComment(repo.octokit, { owner: repo.owner, repo: repo.repo, issueNumber: number, marker: commentMarker });
  if (!existing) return `#${number}: closed; no comment to finish`;
  if (readCommentState(existing.body)?.final) return `#${number}: comment already final`;
  const body = finishedCommentBody(existing.body, `This pull request is closed (head ${headSha.slice(0, 12)} could no longer be fetched): this is the last plan Slipway made for it.`);
  await upsertPrComment(repo.octokit, { owner: repo.owner, repo: repo.repo, issueNumber: number, body, marker: commentMarker, known: repo.commentIds });
  return `#${number}: comment ${existing.id} marked final`;
}
