/** What each step of a reconcile tick gets: the deps, the settings, the summary it adds to, and the job's signal. */
import type { Deps } from '../deps.ts';
import type { ReconcileSettings } from '../settings/reconcile-settings.ts';
import { defaultReconcileSettings } from '../settings/reconcile-settings.ts';
import type { TickSummary } from '../store/schema.ts';

export type TickContext = {
  deps: Deps;
  settings: ReconcileSettings;
  summary: TickSummary;
  signal: AbortSignal;
  now: Date;
  /** The last finished tick: when it ended and what it recorded (rate-limit backoffs are honoured). */
  last?: { finishedAt: Date; summary: TickSummary | null };
};

export function reconcileSettingsOf(deps: Deps): ReconcileSettings {
  return deps.settings.reconcile ?? defaultReconcileSettings;
}

export function emptySummary(): TickSummary {
  return { redelivered: 0, redeliveryRefused: 0, deliveriesSeen: 0, polled: 0, notModified: 0, enqueued: 0, deferred: 0, driftChecked: 0, drifted: 0, healed: 0, pruned: {}, problems: [], rate: {} };
}

/** Bad input is recorded and skipped; a summary keeps at most this many lines of it. */
const maxProblems = 200;

export function recordProblem(ctx: TickContext, problem: string): void {
  if (ctx.summary.problems.length < maxProblems) ctx.summary.problems.push(problem);
  else if (ctx.summary.problems.length === maxProblems) ctx.summary.problems.push('… more problems not listed');
}
