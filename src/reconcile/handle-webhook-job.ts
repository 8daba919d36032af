/**
 * The worker's table of contents: a `github.webhook` job reads its stored delivery, parses its
 * payload once into the event's type (parse-event.ts: a payload without a field its handler needs
 * is a recorded skip) and hands it to the handler for its event. What became of it is stored as
 * the delivery's outcome. A handler that fails (GitHub answering 500 past octokit's retries, a
 * rate limit, the git server down) throws: the job queue retries it with backoff, and the delivery
 * is never lost.
 */
import type { Deps } from '../deps.ts';
import { approvalJobKind, webhookJobKind, type WebhookJobPayload } from '../intake/job-for-delivery.ts';
import type { JobHandler } from '../jobs/index.ts';
import { applyRequested } from './apply-requested.ts';
import { causeMessage } from '../store/store-error.ts';
import { findDeliveryForJob, setDeliveryOutcome } from '../store/webhook-deliveries.ts';
import { approvePolicy } from './approve-policy.ts';
import { commitChecksCompleted } from './commit-checks-completed.ts';
import { handleInstallation, handleInstallationRepositories } from './installation-events.ts';
import { parseEvent } from './parse-event.ts';
import { reconcilePullRequest } from './reconcile-pull-request.ts';
import { reconcilePush } from './reconcile-push.ts';
import { rollbackFromComment } from './rollback-comment.ts';
import { isPreviewCommand, previewFromComment } from './preview-command.ts';
import { parseRollbackCommand } from '../rollback/parse-rollback-command.ts';
import { PermanentSkip, type Outcome, type WebhookContext } from './webhook-context.ts';

type Handler = (ctx: WebhookContext) => Promise<Outcome>;

/** Each handler gets the delivery's payload parsed into its event's type. */
const handlers: Partial<Record<string, Handler>> = {
  installation: (ctx) => handleInstallation(ctx, parseEvent('installation', ctx.delivery.payload)),
  installation_repositories: (ctx) => handleInstallationRepositories(ctx, parseEvent('installation_repositories', ctx.delivery.payload)),
  push: (ctx) => reconcilePush(ctx, parseEvent('push', ctx.delivery.payload)),
  pull_request: (ctx) => reconcilePullRequest(ctx, parseEvent('pull_request', ctx.delivery.payload)),
  issue_comment: (ctx) => {
    const event = parseEvent('issue_comment', ctx.delivery.payload);
    if (isPreviewCommand(event.comment.body)) return previewFromComment(ctx, event);
    return parseRollbackCommand(event.comment.body) ? rollbackFromComment(ctx, event) : approvePolicy(ctx, event);
  },
  check_run: (ctx) => {
    const event = parseEvent('check_run', ctx.delivery.payload);
    if (event.action === 'requested_action') return applyRequested(ctx, event);
    return commitChecksCompleted(ctx, event, { sha: event.check_run.head_sha, name: event.check_run.name });
  },
  check_suite: (ctx) => {
    const event = parseEvent('check_suite', ctx.delivery.payload);
    return commitChecksCompleted(ctx, event, { sha: event.check_suite.head_sha, name: 'check suite' });
  },
  status: (ctx) => {
    const event = parseEvent('status', ctx.delivery.payload);
    return commitChecksCompleted(ctx, event, { sha: event.sha, name: event.context });
  },
};

export function webhookJobHandlers(deps: Deps): Record<string, JobHandler> {
  const handle: JobHandler = async (job, jobCtx) => {
    const { deliveryId } = job.payload as WebhookJobPayload;
    const db = deps.store.db;
    const row = await findDeliveryForJob(db, deliveryId);
    if (!row) throw new PermanentSkip(`delivery ${deliveryId} is not stored`);
    const handler = handlers[row.event];
    let outcome: Outcome;
    try {
      if (!handler) outcome = `ignored: ${row.event} events are not handled`;
      else {
        const ctx: WebhookContext = {
          deps,
          delivery: { id: row.deliveryId, event: row.event, action: row.action, payload: row.payload ?? {} },
          signal: jobCtx.signal,
        };
        outcome = await handler(ctx);
      }
    } catch (error) {
      if (error instanceof PermanentSkip) outcome = error.outcome;
      else {
        // The driver's reason, never a failed query's parameters (a payload): logs carry ids.
        const message = error instanceof Error && error.message.startsWith('Failed query') ? causeMessage(error) : error instanceof Error ? error.message : String(error);
        deps.log(`slipway: ${row.event} delivery ${deliveryId} failed (will retry): ${message}`, { delivery: deliveryId, job: job.id, level: 'warn', ...(row.installationId ? { installation: row.installationId } : {}) });
        await setDeliveryOutcome(db, deliveryId, `failed, will retry: ${message.slice(0, 500)}`).catch(() => {});
        throw error;
      }
    }
    await setDeliveryOutcome(db, deliveryId, outcome);
  };
  return { [webhookJobKind]: handle, [approvalJobKind]: handle };
}
