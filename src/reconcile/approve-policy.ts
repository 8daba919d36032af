/**
 * `/slipway approve <rule-id>` on a pull request: the commenter must have write or admin access
 * (asked of GitHub, never inferred from the payload's author_association); the approval is
 * recorded in the audit log with the PR head sha and the fingerprint of the failing result it
 * approves, then applied to the evaluation it was given on, and the comment updated.
 */
import { getPermission } from '../github/index.ts';
import { applyApprovals, approvalAction, parseApprovalCommand, type Approval } from '../policy/index.ts';
import { writeAudit } from '../store/audit-log.ts';
import { latestPullRequestDelivery } from '../store/webhook-deliveries.ts';
import { evaluatePullRequest, prSubject, pullRequestRef, type PullRequestEvaluation, type PullRequestFields } from './evaluate-pull-request.ts';
import { PullRequestFields as PullRequestFieldsSchema, type EventPayload } from './parse-event.ts';
import { publishPullRequest } from './publish-pull-request.ts';
import { previewViews } from '../previews/preview-views.ts';
import { renderPreviewSection } from '../report/preview-section.ts';
import { repositoryContext } from './repository-context.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export async function approvePolicy(ctx: WebhookContext, event: EventPayload<'issue_comment'>): Promise<Outcome> {
  const command = parseApprovalCommand(event.comment.body);
  if (!command) return 'ignored: no approval command';
  const repo = await repositoryContext(ctx, event);
  const user = event.comment.user!.login;
  const number = event.issue.number;
  const permission = await getPermission(repo.octokit, repo.owner, repo.repo, user);
  if (permission !== 'write' && permission !== 'admin') {
    await writeAudit(ctx.deps.store.db, { actor: `github:${user}`, source: 'github', result: 'denied', action: 'policy.approve.refused', subject: prSubject(repo, number), details: { ruleIds: command.ruleIds, permission } });
    return `refused: ${user} has ${permission} access, approvals need write`;
  }
  const pullRequest = await latestPullRequest(ctx, repo.repositoryId, number)
    ?? (await repo.octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number })).data;
  const pr = pullRequestRef(pullRequest, repo.fullName);
  const before = await evaluatePullRequest(ctx, repo, pr);
  const approved: string[] = [];
  const given: Approval[] = [];
  for (const ruleId of command.ruleIds) {
    for (const result of before.policies.filter((r) => r.ruleId === ruleId && r.status === 'fail' && r.approvable && r.fingerprint)) {
      const approval: Approval = { ruleId, headSha: pr.headSha, resultFingerprint: result.fingerprint! };
      await writeAudit(ctx.deps.store.db, { actor: `github:${user}`, source: 'github', action: approvalAction, subject: prSubject(repo, number), details: approval });
      approved.push(ruleId);
      given.push(approval);
    }
  }
  // The approvals just given, applied to the evaluation they were given on: not planned again (with
  // a runner, that would be a second Terraform plan, which could also differ from the one approved).
  const after = given.length > 0 ? withApprovals(before, given, pr.headSha) : before;
  if (approved.length === 0) after.notes.push(`@${user} asked to approve ${command.ruleIds.join(', ')}, but no failing approvable result matches.`);
  const previews = renderPreviewSection(await previewViews(ctx.deps.store.db, { repositoryId: repo.repositoryId, pullRequest: number }, ctx.deps.now()));
  const published = await publishPullRequest(repo, after, { previews });
  const refused = published.reviewRefused ? `; review refused, not retried: ${published.reviewRefused}` : '';
  return `approved by ${user}: ${approved.join(', ') || 'nothing to approve'} at ${pr.headSha.slice(0, 12)}${refused}`;
}

/** The newest stored pull_request delivery's pull request (its head sha, without an API call), when it has the fields needed. */
async function latestPullRequest(ctx: WebhookContext, repositoryId: number, number: number): Promise<PullRequestFields | undefined> {
  const stored = PullRequestFieldsSchema.safeParse((await latestPullRequestDelivery(ctx.deps.store.db, repositoryId, number))?.pull_request);
  return stored.success ? stored.data : undefined;
}

function withApprovals(evaluation: PullRequestEvaluation, approvals: Approval[], headSha: string): PullRequestEvaluation {
  const plans = evaluation.plans.map((plan) => ({ ...plan, policies: applyApprovals(plan.policies, approvals, headSha) }));
  return { ...evaluation, plans, policies: plans.flatMap((plan) => plan.policies) };
}
