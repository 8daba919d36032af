/**
 * Instances and autoscaling from load. For each 5-minute mean of load (what a target-tracking
 * alarm acts on), desired = ceil(load / (task vCPU × target)) tasks for the recommended task size;
 * with `requestsPerInstance` and a requests series (web) or `backlogPerInstance` and a backlog
 * series (worker), desired is also at least requests (or backlog) per instance.
 * - target and min: the cheapest pair whose replay on the history (target-tracking.ts: scale-out
 *   one interval late, scale-in after 15 minutes) breaches the 80 % ceiling in at most
 *   `breachBudget` of the intervals (choose-tracking-policy.ts). min starts at the P5 of desired
 *   tasks (at least 2 when the service runs 2 or more, for availability); a series whose steps
 *   outrun the scaler gets a lower target or a higher min, whichever costs less, and says so.
 * - max is a safety ceiling, not a cost driver: with target tracking a task is paid for only while
 *   it runs, and the autoscaler runs only what the load needs. A low max saves nothing on normal
 *   days and caps capacity exactly when load outgrows the history (a launch, a migration, organic
 *   growth). So max = ceil(maxGrowthFactor (3) × the tasks that hold the peak load under the 80 %
 *   ceiling, anomalous windows included: they are real load, left out of min and target only),
 *   never below the P99 of desired tasks
 *   with 15 % headroom, min, or today's max. The growth term is bounded by maxTasksCap (100) so a
 *   runaway (a retry storm, a scaling loop) cannot run up an unbounded bill; a larger max set by
 *   hand today is kept.
 */
import { quantile } from 'simple-statistics';
import { maxInstances } from '../config/schema.ts';
import { chooseTrackingPolicy } from './choose-tracking-policy.ts';
import { toGrid, type Grid } from './grid.ts';
import { replayTargetTracking, scaleInIntervals, utilisationCeiling } from './target-tracking.ts';
import type { Sample, ServiceSpec } from './types.ts';

export { utilisationCeiling };
export const reactionMs = 5 * 60_000;
/** Recommended max covers this multiple of the tasks that held the observed peak under the ceiling. */
export const maxGrowthFactor = 3;
/** The growth term of the recommended max never goes above this many tasks (today's max may). */
export const maxTasksCap = 100;
/**
 * Share of the history's 5-minute intervals the chosen policy may breach in its replay. Chosen by
 * leave-one-trace-out cross-validation on the NAB traces (bench/eval/cross-validate.ts and
 * docs/recommendations.md): the fewest traces above 2 %, then ≤ 1 % overall, then the cheapest.
 */
export const defaultBreachBudget = 0.01;
/**
 * Policies within this share of the cheapest one's cost count as equally cheap, and the one whose
 * scaler breaches least on its own is taken (choose-tracking-policy.ts). Chosen by the same
 * cross-validation.
 */
export const defaultCostTolerance = 0.01;

export type ReplicaRecommendation = {
  current: { min: number; max: number; target?: number };
  recommended: { min: number; max: number; target: number };
  /** Mean running tasks now (observed, or today's policy replayed on the history). */
  currentTasks: number;
  /** Mean tasks the recommendation runs in the replay of the same history. */
  recommendedTasks: number;
  /** P50 / P99 / max of desired tasks at the recommended target. */
  desired: { p50: number; p99: number; max: number };
  burstP99: number;
  /** What desired tasks follow: cpu alone, or the larger of cpu and requests (backlog) per instance. */
  basis: 'cpu' | 'cpu+requests' | 'cpu+backlog';
  /** The recommended policy replayed on the history: its breach rate and the budget it was chosen under. */
  replay: { breachRate: number; breachBudget: number; intervals: number };
  /**
   * Set when load jumps faster than target tracking reacts, so min is above what the quiet hours
   * ask for: the min they ask for, and why it was raised.
   */
  headroom?: { baseMin: number; reason: string };
  /** Load intervals (5-minute means) the figures come from. */
  samples: number;
  window: { from: number; to: number };
  assumption?: string;
};

/**
 * Load in vCPU on a grid of `stepMs` (5 minutes, or the data's own step when coarser):
 * utilisation × current task cpu × running tasks.
 */
export function demandGrid(cpu: readonly Sample[], spec: ServiceSpec, stepMs: number, instances?: readonly Sample[]): { grid: Grid; assumption?: string } {
  let assumption: string | undefined;
  if (!instances || instances.length === 0) {
    const fixed = spec.instances.max;
    if (spec.instances.min !== spec.instances.max) assumption = `running task count unknown; assumed the configured max (${fixed}), which overstates load if fewer ran`;
    const scale = (spec.cpu * fixed) / 100;
    return { grid: toGrid(cpu, stepMs, (s) => s.v * scale), assumption };
  }
  let j = 0;
  const scale = spec.cpu / 100;
  const grid = toGrid(cpu, stepMs, (s) => {
    while (j + 1 < instances.length && instances[j + 1].t <= s.t) j++;
    return s.v * scale * instances[j].v;
  });
  return { grid };
}

export type PerInstanceSeries = { kind: 'requests' | 'backlog'; grid: Grid; perInstance: number };

export function recommendReplicas(input: {
  demand: Grid;
  spec: ServiceSpec;
  taskCpu: number;
  currentTasks?: number;
  assumption?: string;
  /**
   * Peak load (vCPU) including the anomalous windows masked out of `demand`: incidents are left
   * out of what the service pays for (min, target), but the safety ceiling must still serve them.
   */
  peakLoad?: number;
  /** Requests per second (web, `requestsPerInstance`) or queue backlog (worker, `backlogPerInstance`) on a grid of the same step: desired is also that / perInstance. */
  perInstance?: PerInstanceSeries;
  breachBudget?: number;
  costTolerance?: number;
}): ReplicaRecommendation | undefined {
  const { demand, spec, taskCpu, perInstance } = input;
  const breachBudget = input.breachBudget ?? defaultBreachBudget;
  const values = demand.values;
  let count = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    count++;
    if (first < 0) first = i;
    last = i;
  }
  if (count < 2) return undefined;
  const extra = perInstance ? extraDesired(demand, perInstance) : undefined;
  const burstP99 = burstRatio(demand);
  const availabilityFloor = spec.instances.min >= 2 ? 2 : 1;
  const peakLoad = input.peakLoad !== undefined && Number.isFinite(input.peakLoad) ? input.peakLoad : 0;
  const desiredAt = memo((target: number) => desiredTasks(values, extra, taskCpu, target, count));
  // Without requests or backlog, desired tasks scale as 1 / target: one histogram serves all targets.
  const atFull = extra ? undefined : quantiles(desiredAt(100));
  const quantilesAt = memo((target: number) => (atFull ? atFull.map((q) => (q * 100) / target) : quantiles(desiredAt(target))));
  const maxFor = (target: number) => {
    const p99 = quantilesAt(target)[2];
    // max is a ceiling for growth beyond the history, not what the service pays for (see the top
    // of the file); a max below today's saves nothing, so today's is its floor. The growth term
    // counts the tasks that hold the peak under the 80 % ceiling, whatever the target: a lower
    // target is headroom for the scaler's reaction, not for growth.
    const observedPeak = Math.max(quantilesAt(utilisationCeiling)[3], (peakLoad * 100) / (taskCpu * utilisationCeiling));
    const growth = Math.min(maxTasksCap, Math.ceil(maxGrowthFactor * observedPeak - 1e-9));
    return Math.max(Math.ceil(p99 * 1.15 - 1e-9), growth, spec.instances.max, 1);
  };
  const baseMinFor = (target: number) => Math.max(availabilityFloor, Math.ceil(quantilesAt(target)[0] - 1e-9));
  const choice = chooseTrackingPolicy({ load: values, taskCpu, extraDesired: extra, baseMinFor, maxFor, breachBudget, costTolerance: input.costTolerance ?? defaultCostTolerance, limit: maxInstances });
  if (!choice) return undefined;
  const { target, min, max } = choice;
  const [, p50, p99, peak] = quantilesAt(target);
  const currentTasks = input.currentTasks ?? currentMeanTasks(values, extra, spec);
  const headroom = min > choice.baseMin
    ? { baseMin: choice.baseMin, reason: `load jumps faster than target tracking reacts (up to ×${round2(burstP99)} in 5 minutes, P99); at any target from 30 % to 80 % the quiet hours' min of ${choice.baseMin} would breach 80 % in more than ${pct(breachBudget)} of the history's intervals, so min is ${min}` }
    : undefined;
  return {
    current: { ...spec.instances, ...(spec.targetCpu !== undefined ? { target: spec.targetCpu } : {}) },
    recommended: { min, max, target },
    currentTasks,
    recommendedTasks: choice.meanTasks,
    desired: { p50: round2(p50), p99: round2(p99), max: round2(peak) },
    burstP99: round2(burstP99),
    basis: perInstance ? (perInstance.kind === 'requests' ? 'cpu+requests' : 'cpu+backlog') : 'cpu',
    replay: { breachRate: choice.breachRate, breachBudget, intervals: choice.intervals },
    ...(headroom ? { headroom } : {}),
    samples: count,
    window: { from: demand.start + first * demand.stepMs, to: demand.start + (last + 1) * demand.stepMs },
    ...(input.assumption ? { assumption: input.assumption } : {}),
  };
}

/** Requests (or backlog) per instance on the load grid's intervals; NaN where unknown. */
function extraDesired(demand: Grid, series: PerInstanceSeries): Float64Array {
  const out = new Float64Array(demand.values.length);
  for (let i = 0; i < out.length; i++) {
    const j = Math.round((demand.start + i * demand.stepMs - series.grid.start) / series.grid.stepMs);
    const r = j >= 0 && j < series.grid.values.length ? series.grid.values[j] : Number.NaN;
    out[i] = Number.isFinite(r) ? r / series.perInstance : Number.NaN;
  }
  return out;
}

/** P5, P50, P99 and the largest of desired tasks (simple-statistics: exact, and faster than a histogram at these sizes; bench/statistics.bench.ts). */
function quantiles(desired: Float64Array): number[] {
  return quantile(Array.from(desired), [0.05, 0.5, 0.99, 1]);
}

/** Exact (unrounded) desired tasks at a target, over the finite intervals. */
function desiredTasks(values: Float64Array, extra: Float64Array | undefined, taskCpu: number, target: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0, k = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    const e = extra?.[i];
    out[k++] = Math.max((values[i] * 100) / (taskCpu * target), e !== undefined && Number.isFinite(e) ? e : 0);
  }
  return out;
}

/**
 * P99 over time of the growth the scaler has to absorb: load at an interval over the largest load
 * of the `scaleInIntervals` before it (what the scaler is still running for); at least 1. Ratios
 * off near-idle load (under 5 % of the mean) are left out: from there, only a floor helps.
 */
export function burstRatio(demand: Grid): number {
  const v = demand.values;
  let level = 0;
  let count = 0;
  for (const x of v) if (Number.isFinite(x)) { level += x; count++; }
  const floor = count > 0 ? (0.05 * level) / count : 0;
  const ratios = new Float64Array(v.length);
  let n = 0;
  for (let i = 1; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    let held = -Infinity;
    for (let j = Math.max(0, i - scaleInIntervals); j < i; j++) if (v[j] > held) held = v[j];
    if (held > floor) ratios[n++] = v[i] / held;
  }
  if (n === 0) return 1;
  return Math.max(1, quantile(Array.from(ratios.subarray(0, n)), 0.99));
}

/** Tasks today: fixed, or today's policy (its target, default 70 %) replayed on the history with today's task size. */
function currentMeanTasks(load: Float64Array, extra: Float64Array | undefined, spec: ServiceSpec): number {
  const { min, max } = spec.instances;
  if (min === max) return min;
  const replay = replayTargetTracking(load, spec.cpu, { target: spec.targetCpu ?? 70, min, max }, { extraDesired: extra });
  return replay.intervals > 0 ? replay.taskIntervals / replay.intervals : min;
}

function memo<T>(f: (target: number) => T): (target: number) => T {
  const cache = new Map<number, T>();
  return (target) => {
    let value = cache.get(target);
    if (value === undefined) cache.set(target, (value = f(target)));
    return value;
  };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
