/**
 * Step a of a tick: failed webhook deliveries are asked for again. GitHub never retries a failed
 * delivery by itself and keeps it for redelivery 3 days (7 on GHES)
 * (https://docs.github.com/webhooks/using-webhooks/handling-failed-webhook-deliveries). The App's
 * deliveries since the last tick (24 h on the first) are listed; a guid none of whose attempts
 * succeeded, that Slipway never stored and never asked for, is claimed in the store and then
 * redelivered: once per guid, whatever happens after. GitHub refusing (422: too old; 404: gone) is
 * recorded as the claim's outcome and a problem of the tick. A failure that may pass (GitHub down,
 * a rate limit) gives the claim back, for the next tick.
 */
import { GitHubError } from '../github/github-error.ts';
import { listHookDeliveries, redeliverHookDelivery, type HookDeliveryAttempt } from '../github/list-hook-deliveries.ts';
import { claimRedeliveries, knownDeliveryGuids, releaseRedelivery, setRedeliveryOutcome } from '../store/redeliveries.ts';
import { recordProblem, type TickContext } from './tick-context.ts';

export async function redeliverFailed(ctx: TickContext, since: Date): Promise<void> {
  const { deps, summary } = ctx;
  const db = deps.store.db;
  const { attempts } = await listHookDeliveries(deps.github.appOctokit, { since });
  summary.deliveriesSeen = attempts.length;
  const failed = failedGuids(attempts);
  const known = await knownDeliveryGuids(db, [...failed.keys()]);
  const candidates = [...failed.values()].filter((a) => !known.has(a.guid));
  const claimed = await claimRedeliveries(
    db,
    candidates.map((a) => ({
      guid: a.guid,
      attemptId: a.id,
      event: a.event,
      action: a.action,
      installationId: a.installationId,
      repositoryId: a.repositoryId,
      failedStatus: a.statusCode,
      deliveredAt: a.deliveredAt,
    })),
  );
  for (const attempt of candidates) {
    if (!claimed.has(attempt.guid)) continue;
    ctx.signal.throwIfAborted();
    try {
      await redeliverHookDelivery(deps.github.appOctokit, attempt.id);
      await setRedeliveryOutcome(db, attempt.guid, 'requested');
      summary.redelivered += 1;
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      if (!error.rateLimited && (error.status === 422 || error.status === 404 || error.status === 400)) {
        await setRedeliveryOutcome(db, attempt.guid, `refused ${error.status}: ${error.message}`.slice(0, 500));
        summary.redeliveryRefused += 1;
        recordProblem(ctx, `redelivery of ${attempt.event} ${attempt.guid} refused: ${error.message}`);
      } else {
        await releaseRedelivery(db, attempt.guid);
        recordProblem(ctx, `redelivery of ${attempt.event} ${attempt.guid} not requested (next tick tries again): ${error.message}`);
      }
    }
  }
}

/** Per guid none of whose attempts succeeded: its newest attempt (the one to redeliver). */
export function failedGuids(attempts: readonly HookDeliveryAttempt[]): Map<string, HookDeliveryAttempt> {
  const ok = new Set(attempts.filter((a) => a.statusCode >= 200 && a.statusCode < 300).map((a) => a.guid));
  const newest = new Map<string, HookDeliveryAttempt>();
  for (const a of attempts) {
    if (ok.has(a.guid)) continue;
    const seen = newest.get(a.guid);
    if (!seen || a.id > seen.id) newest.set(a.guid, a);
  }
  return newest;
}
