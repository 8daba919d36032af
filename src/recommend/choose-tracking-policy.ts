/**
 * The cheapest target-tracking policy (target, min) that keeps breaches on the service's own
 * history within a budget: each candidate is replayed on the history with the same scaler model
 * the evaluation uses (target-tracking.ts), and the one that runs the fewest task-intervals wins.
 * This replaces a rule of thumb (target = ceiling / P99 growth) with the thing it approximated:
 * a jumpy series, whose steps the scaler sees one interval late, needs either a lower target or a
 * higher floor, and the replay says which costs less.
 *
 * For one target, min enters the replay only as max(min, ·) (it commutes with the scaler's
 * max over the last intervals), so every min is scored in one pass: capacity at an interval is
 * max(min, A_i) where A_i is what the scaler alone would run, and the interval breaches exactly
 * when both A_i and min are below the tasks its load needs. The result equals
 * `replayTargetTracking` with that policy (test/recommend/target-tracking.test.ts checks it). The
 * scaler's memory is the 3 intervals of target-tracking.ts's `scaleInIntervals`.
 */
import { utilisationCeiling, type TrackingPolicy } from './target-tracking.ts';

/** Targets tried, percent. Below 30 % a floor is cheaper than running everything two-thirds idle. */
export const candidateTargets = [80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30] as const;

export type PolicyChoice = TrackingPolicy & {
  /** The min the load's own quiet hours ask for (before any raise for jumps). */
  baseMin: number;
  /** Breaching intervals in the replay of the history, as a share of its intervals. */
  breachRate: number;
  /** Mean running tasks in that replay. */
  meanTasks: number;
  intervals: number;
};

export type PolicyInput = {
  /** Load, vCPU per interval (NaN: unknown or left out). */
  load: ArrayLike<number>;
  taskCpu: number;
  /** Tasks asked for besides cpu (requests or backlog per instance); NaN = none. */
  extraDesired?: ArrayLike<number>;
  /** The min a target asks for before the breach budget: e.g. the P5 of desired tasks, at least 2 for availability. */
  baseMinFor: (target: number) => number;
  maxFor: (target: number) => number;
  /** Largest share of history intervals allowed to breach. */
  breachBudget: number;
  /**
   * Policies costing at most this share more than the cheapest count as equally cheap; among them
   * the one whose scaler alone (at the quiet hours' min) breaches least wins. Default 0.
   */
  costTolerance?: number;
  /** Neither min nor max goes above this (paas.yaml's limit); default unbounded. */
  limit?: number;
};

export function chooseTrackingPolicy(input: PolicyInput): PolicyChoice | undefined {
  const compact = compactSeries(input);
  if (compact.load.length === 0) return undefined;
  const scored = candidateTargets.map((target) => scoreTarget(input, compact, target));
  // Cheapest wins, but a policy whose min holds nearly all of the history says little about its
  // target: the target never acted. Among the (nearly) cheapest, the one whose scaler breaches
  // least on its own is what a future above the floor (a new level, more noise) will rely on.
  // Then the cheaper, then the higher target (listed first).
  const cheapest = Math.min(...scored.map((c) => c.meanTasks));
  const bound = cheapest * (1 + (input.costTolerance ?? 0)) + 1e-9;
  let best: (PolicyChoice & { scalerAlone: number }) | undefined;
  for (const c of scored) {
    if (c.meanTasks > bound) continue;
    if (!best || c.scalerAlone < best.scalerAlone || (c.scalerAlone === best.scalerAlone && c.meanTasks < best.meanTasks - 1e-9)) best = c;
  }
  if (!best) return undefined;
  const { scalerAlone: _alone, ...choice } = best;
  return choice;
}

type Compact = {
  /** Finite loads in order (unknown intervals dropped, as the replay skips them). */
  load: Float64Array;
  /** Tasks asked for besides cpu, rounded up (0 for none). */
  extra: Float64Array;
  /** Tasks that hold each load under the ceiling. */
  need: Float64Array;
};

function compactSeries(input: PolicyInput): Compact {
  const { load, extraDesired, taskCpu } = input;
  const ceilingTasks = (taskCpu * utilisationCeiling) / 100;
  let n = 0;
  for (let i = 0; i < load.length; i++) if (Number.isFinite(load[i])) n++;
  const out: Compact = { load: new Float64Array(n), extra: new Float64Array(n), need: new Float64Array(n) };
  for (let i = 0, k = 0; i < load.length; i++) {
    const v = load[i];
    if (!Number.isFinite(v)) continue;
    const e = extraDesired?.[i];
    out.load[k] = v;
    out.extra[k] = e !== undefined && Number.isFinite(e) ? Math.max(0, Math.ceil(e - 1e-9)) : 0;
    out.need[k] = Math.ceil(v / ceilingTasks - 1e-9);
    k++;
  }
  return out;
}

function scoreTarget(input: PolicyInput, compact: Compact, target: number): PolicyChoice & { scalerAlone: number } {
  const limit = input.limit ?? Infinity;
  const max = Math.min(limit, input.maxFor(target));
  const perTask = (input.taskCpu * target) / 100;
  const { load, extra, need } = compact;
  const n = load.length;
  // scaler[k]: what the scaler alone runs at interval k (clamped to max, min not yet applied):
  // the largest desired of the `scaleInIntervals` before it (the first interval runs its own).
  const scaler = new Float64Array(n);
  const needed: number[] = []; // tasks needed where the scaler alone falls short
  let r0 = -1;
  let r1 = -1;
  let r2 = -1; // the last three desired counts (scaleInIntervals = 3), oldest first
  for (let k = 0; k < n; k++) {
    const desired = Math.min(max, Math.max(Math.ceil(load[k] / perTask - 1e-9), extra[k]));
    const a = k === 0 ? desired : Math.max(r0, r1, r2);
    scaler[k] = a;
    if (a < need[k]) needed.push(need[k]);
    r0 = r1;
    r1 = r2;
    r2 = desired;
  }
  const baseMin = Math.min(max, input.baseMinFor(target));
  // The smallest min that leaves at most `allowed` breaching intervals.
  const allowed = Math.floor(input.breachBudget * n);
  needed.sort((a, b) => b - a);
  const min = Math.min(limit, Math.max(baseMin, needed[allowed] ?? 0));
  let breaches = 0;
  for (const x of needed) if (x > min) breaches++; else break;
  let scalerAlone = 0; // breaches at the quiet hours' min, before any raise
  for (const x of needed) if (x > baseMin) scalerAlone++; else break;
  let taskIntervals = 0;
  for (let k = 0; k < n; k++) taskIntervals += scaler[k] > min ? scaler[k] : min;
  return { target, min, max: Math.max(max, min), baseMin, breachRate: breaches / n, meanTasks: taskIntervals / n, intervals: n, scalerAlone };
}
