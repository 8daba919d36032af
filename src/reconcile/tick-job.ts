/**
 * The tick as a job: exactly one tick runs at a time however many Slipway processes run, because
 * every tick job shares one concurrency key (the queue lets one job per key run; the partial
 * unique index on running keys settles races between processes) and holds a lease the worker
 * extends while it runs (a process that dies mid-tick loses it, and another takes the tick over).
 *
 * Each worker process schedules the next tick: the job for time slot `n` (interval-long slots) is
 * keyed `reconcile.tick:<n>`, so however many processes enqueue it, it exists once; its start is
 * the slot's start plus a random jitter. `slipway reconcile --once` enqueues a tick of its own.
 */
import type { Deps } from '../deps.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { JobHandler } from '../jobs/run-worker.ts';
import type { Db } from '../store/db.ts';
import type { Job } from '../store/schema.ts';
import { findJob } from '../jobs/find-job.ts';
import type { ReconcileSettings } from '../settings/reconcile-settings.ts';
import { causeMessage } from '../store/store-error.ts';
import { reconcileTick } from './reconcile-tick.ts';
import { reconcileSettingsOf } from './tick-context.ts';

import { tickJobKind, tickKey } from './request-tick.ts';

export { requestTick, tickJobKind } from './request-tick.ts';

export function tickJobHandlers(deps: Deps): Record<string, JobHandler> {
  return {
    [tickJobKind]: async (job, ctx) => {
      const summary = await reconcileTick(deps, { jobId: job.id, signal: ctx.signal });
      if (summary.enqueued > 0 || summary.redelivered > 0 || summary.problems.length > 0) {
        deps.log(`slipway: reconcile tick ${summary.tickId}: ${summary.redelivered} redelivered, ${summary.polled} heads read (${summary.notModified} unchanged), ${summary.enqueued} missed pushes enqueued, ${summary.problems.length} problems`);
      }
    },
  };
}

/** Enqueue the tick of the next time slot (a no-op when another process already did). */
export async function scheduleNextTick(db: Db, settings: ReconcileSettings, now: Date, random: () => number = Math.random): Promise<void> {
  const slot = Math.floor(now.getTime() / settings.intervalMs) + 1;
  await enqueue(db, {
    kind: tickJobKind,
    concurrencyKey: tickKey,
    idempotencyKey: `${tickKey}:${slot}`,
    runAt: new Date(slot * settings.intervalMs + Math.floor(random() * settings.jitterMs)),
    maxAttempts: 3,
  });
}

/** Keep the next tick scheduled while the worker runs: now, and every half interval. */
export function startTickSchedule(deps: Deps, signal: AbortSignal): void {
  const settings = reconcileSettingsOf(deps);
  if (!settings.enabled) return;
  const schedule = () =>
    scheduleNextTick(deps.store.db, settings, deps.now()).catch((error: unknown) => deps.log(`slipway: scheduling the next reconcile tick failed (${causeMessage(error)}); trying again later`));
  void schedule();
  const timer = setInterval(() => void schedule(), Math.max(1_000, Math.floor(settings.intervalMs / 2)));
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/** Wait until a job is finished (completed, dead or cancelled); the row as it ended. */
export async function waitForJob(db: Db, jobId: number, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
  for (;;) {
    const row = await findJob(db, jobId);
    if (!row) throw new Error(`job ${jobId} does not exist`);
    if (row.status === 'completed' || row.status === 'dead' || row.status === 'cancelled') return row;
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
