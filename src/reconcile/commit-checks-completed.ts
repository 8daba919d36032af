/**
 * A check on a commit completed (`check_run` or `check_suite` completed, a `status` that is not
 * pending): each of the commit's deployments waiting for its `deploy.after` checks gets a deploy
 * job that looks at all of them again (GitHub is asked; the event only says when to look), and
 * applies, fails, or keeps waiting. One store read; nothing is asked of GitHub here.
 */
import { deployJob } from '../deploy/deploy-job.ts';
import { enqueueMany } from '../jobs/index.ts';
import { deploymentsOfCommit } from '../store/push-deployments.ts';
import type { EventPayload } from './parse-event.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export async function commitChecksCompleted(
  ctx: WebhookContext,
  event: EventPayload<'check_run'> | EventPayload<'check_suite'> | EventPayload<'status'>,
  what: { sha: string; name: string },
): Promise<Outcome> {
  const db = ctx.deps.store.db;
  const waiting = await deploymentsOfCommit(db, { repositoryId: event.repository!.id, commitSha: what.sha, status: 'waiting' });
  if (waiting.length === 0) return `${what.name} on ${what.sha.slice(0, 12)}: no deployment waits for it`;
  await enqueueMany(
    db,
    waiting.map((d) => deployJob({ deploymentId: d.id, appId: d.appId, environment: d.environment, action: 'checks', idempotencyKey: `deploy:${d.id}:checks:${ctx.delivery.id}` })),
  );
  return `${what.name} on ${what.sha.slice(0, 12)}: checks looked at again for deployment ${waiting.map((d) => d.id).join(', ')}`;
}
