/**
 * One reconcile tick — the table of contents (docs/reconcile.md). In order:
 *  a. redeliver failed webhook deliveries since the last tick (24 h on the first);
 *  b. poll default-branch heads and enqueue any head no push announced;
 *  c. check drift of the environments whose `drift.every` is due (and heal where asked);
 *  d. prune deliveries, finished jobs, logs and ticks past their retention.
 * A step that fails is recorded in the tick's problems and the next step runs: one bad repository
 * or one GitHub outage never takes the rest of the tick with it. The tick's summary is stored.
 */
import type { Deps } from '../deps.ts';
import { causeMessage } from '../store/store-error.ts';
import { prune } from '../store/prune.ts';
import { finishTick, lastFinishedTick, startTick } from '../store/reconcile-ticks.ts';
import type { TickSummary } from '../store/schema.ts';
import { checkDrift } from './check-drift.ts';
import { pollHeads } from './poll-heads.ts';
import { redeliverFailed } from './redeliver-failed.ts';
import { emptySummary, recordProblem, reconcileSettingsOf, type TickContext } from './tick-context.ts';

/** The first tick looks back this far; later ones to the last tick's start, less an overlap. */
const firstWindowMs = 24 * 3_600_000;
const overlapMs = 60_000;

export async function reconcileTick(deps: Deps, input: { jobId?: number | null; signal?: AbortSignal } = {}): Promise<TickSummary & { tickId: number }> {
  const db = deps.store.db;
  const now = deps.now();
  const last = await lastFinishedTick(db);
  const tick = await startTick(db, input.jobId ?? null);
  const ctx: TickContext = {
    deps,
    settings: reconcileSettingsOf(deps),
    summary: emptySummary(),
    signal: input.signal ?? new AbortController().signal,
    now,
    ...(last?.finishedAt ? { last: { finishedAt: last.finishedAt, summary: last.summary } } : {}),
  };
  const since = last ? new Date(last.startedAt.getTime() - overlapMs) : new Date(now.getTime() - firstWindowMs);

  const ms: Record<string, number> = {};
  ctx.summary.ms = ms;
  const step = async (name: string, run: () => Promise<void>) => {
    const started = performance.now();
    try {
      await run();
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      recordProblem(ctx, `${name}: ${causeMessage(error)}`);
      deps.log(`slipway: reconcile: ${name} failed: ${causeMessage(error)}`);
    } finally {
      ms[name] = Math.round(performance.now() - started);
    }
  };
  await step('redelivery', () => redeliverFailed(ctx, since));
  await step('heads', () => pollHeads(ctx));
  await step('drift', () => checkDrift(ctx));
  await step('prune', async () => {
    ctx.summary.pruned = await prune(db, ctx.settings.retain, now);
  });
  await finishTick(db, tick.id, ctx.summary);
  return { ...ctx.summary, tickId: tick.id };
}
