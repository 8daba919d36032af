/**
 * `pull_request` opened / synchronize / reopened / ready_for_review: plan the head and update the
 * one comment. `closed`: the same, marked final (the last plan made for it).
 */
import { evaluatePullRequest, pullRequestRef } from './evaluate-pull-request.ts';
import { publishPullRequest } from './publish-pull-request.ts';
import { repositoryContext } from './repository-context.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export async function reconcilePullRequest(ctx: WebhookContext): Promise<Outcome> {
  const repo = await repositoryContext(ctx);
  const pr = pullRequestRef(ctx.delivery.payload.pull_request, repo.fullName);
  const final = ctx.delivery.action === 'closed';
  const evaluation = await evaluatePullRequest(ctx, repo, pr);
  const comment = await publishPullRequest(repo, evaluation, { final });
  return `#${pr.number}@${pr.headSha.slice(0, 12)}: comment ${comment.commentId} ${comment.created ? 'created' : 'updated'}${final ? ' (final)' : ''}`;
}
