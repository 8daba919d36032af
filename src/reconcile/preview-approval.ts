/** A fork's preview approvals (`/slipway preview`, preview-command.ts), read from the audit log. */
import { auditDetails } from '../store/audit-log.ts';
import { prSubject, type PullRequestRef } from './evaluate-pull-request.ts';
import type { RepositoryContext } from './repository-context.ts';
import type { WebhookContext } from './webhook-context.ts';

export const previewApprovalAction = 'preview.approve';

/** The writer who asked for a preview of exactly this head, if one did. */
export async function previewApprovedBy(ctx: WebhookContext, repo: RepositoryContext, pr: PullRequestRef): Promise<string | undefined> {
  const details = await auditDetails(ctx.deps.store.db, { action: previewApprovalAction, subject: prSubject(repo, pr.number) });
  const found = details.find((d) => d?.headSha === pr.headSha && typeof d.user === 'string');
  return found ? String(found.user) : undefined;
}
