/**
 * `/slipway preview` on a pull request from a fork: a fork's code is untrusted, so its preview is
 * never applied until a person with write or admin access (asked of GitHub, never inferred from
 * the payload) asks for it — for the head the pull request has now; a later push from the fork
 * needs asking again. The request goes to the audit log (action `preview.approve`, the head sha
 * in its details), where the PR job finds it, and the pull request is planned and its preview
 * started at once.
 */
import { getPermission } from '../github/index.ts';
import { writeAudit } from '../store/audit-log.ts';
import { prSubject, pullRequestRef } from './evaluate-pull-request.ts';
import { previewApprovalAction } from './preview-approval.ts';
import type { EventPayload } from './parse-event.ts';
import { reconcilePullRequestAt } from './reconcile-pull-request.ts';
import { repositoryContext } from './repository-context.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export function isPreviewCommand(body: string): boolean {
  return /^\s*\/slipway\s+preview\s*$/m.test(body);
}

export async function previewFromComment(ctx: WebhookContext, event: EventPayload<'issue_comment'>): Promise<Outcome> {
  const repo = await repositoryContext(ctx, event);
  const user = event.comment.user!.login;
  const number = event.issue.number;
  const db = ctx.deps.store.db;
  const reply = (body: string) => repo.octokit.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: number, body });
  const permission = await getPermission(repo.octokit, repo.owner, repo.repo, user);
  if (permission !== 'write' && permission !== 'admin') {
    await writeAudit(db, { actor: `github:${user}`, source: 'github', result: 'denied', action: `${previewApprovalAction}.refused`, subject: prSubject(repo, number), details: { permission } });
    await reply(`@${user} deploying a preview of this pull request needs write access to ${repo.fullName}; you have ${permission}.`);
    return `refused: ${user} has ${permission} access, /slipway preview needs write`;
  }
  const pullRequest = (await repo.octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number })).data;
  if (pullRequest.state !== 'open') {
    await reply(`@${user} this pull request is ${pullRequest.state}: it gets no preview.`);
    return `refused: #${number} is ${pullRequest.state}`;
  }
  const pr = pullRequestRef(pullRequest, repo.fullName);
  await writeAudit(db, { actor: `github:${user}`, source: 'github', action: previewApprovalAction, subject: prSubject(repo, number), details: { headSha: pr.headSha, user } });
  await reply(`@${user} asked for a preview of ${pr.headSha.slice(0, 12)}: Slipway deploys it. A later push needs asking again.`);
  return `preview approved by ${user}: ${await reconcilePullRequestAt(ctx, repo, pr, 'open')}`;
}
