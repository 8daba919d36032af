/**
 * Instances and autoscaling from load, with target-tracking arithmetic: for each 5-minute mean of
 * load (what a target-tracking alarm acts on), desired = ceil(running × utilisation / target)
 * tasks, computed for the recommended task size.
 * - `ceiling` (80 %) is the utilisation a task must stay under; above it counts as a breach.
 * - The recommended target leaves room for the load to grow while a scale-out happens: it is the
 *   ceiling divided by the P99 of the five-minute growth ratio of load, rounded down to 5 %.
 * - with `requestsPerInstance` and a requests series, desired is the larger of the cpu figure and
 *   requests / requestsPerInstance;
 * - max is a safety ceiling, not a cost driver: with target tracking a task is paid for only while
 *   it runs, and the autoscaler runs only what the load needs. A low max saves nothing on normal
 *   days and caps capacity exactly when load outgrows the history (a launch, a migration, organic
 *   growth). So max = ceil(maxGrowthFactor (3) × the peak of desired tasks, anomalous windows
 *   included: they are real load, left out of min and target only), never below the P99
 *   with 15 % headroom, min, or today's max. The growth term is bounded by maxTasksCap (100) so a
 *   runaway (a retry storm, a scaling loop) cannot run up an unbounded bill; a larger max set by
 *   hand today is kept.
 * - min (what the service pays for around the clock) is the P5 of desired tasks (at least 2 when
 *   the service ran 2 or more, for availability); schedule floors raise it where load is seasonal.
 */
import { toGrid, type Grid } from './grid.ts';
import { histogramQuantiles } from './histogram-quantiles.ts';
import type { Sample, ServiceSpec } from './types.ts';

export const utilisationCeiling = 80;
export const reactionMs = 5 * 60_000;
/** Recommended max covers this multiple of the observed peak of desired tasks. */
export const maxGrowthFactor = 3;
/** The growth term of the recommended max never goes above this many tasks (today's max may). */
export const maxTasksCap = 100;

export type ReplicaRecommendation = {
  current: { min: number; max: number; target?: number };
  recommended: { min: number; max: number; target: number };
  /** Mean running tasks now (observed, or assumed from the config). */
  currentTasks: number;
  /** Mean tasks the recommendation would run over the same history. */
  recommendedTasks: number;
  /** P50 / P99 / max of desired tasks at the recommended target. */
  desired: { p50: number; p99: number; max: number };
  burstP99: number;
  /** What desired tasks follow: cpu alone, or the larger of cpu and requests per instance. */
  basis: 'cpu' | 'cpu+requests';
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
  /** Requests per second on a grid of the same step, with `autoscaling.requestsPerInstance`: desired is also requests / perInstance. */
  requests?: { grid: Grid; perInstance: number };
}): ReplicaRecommendation | undefined {
  const { demand, spec, taskCpu, requests } = input;
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
  const burstP99 = burstRatio(demand);
  const target = Math.max(30, Math.min(utilisationCeiling, Math.floor(utilisationCeiling / burstP99 / 5) * 5));
  const desiredExact = new Float64Array(count);
  for (let i = 0, k = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    let d = (values[i] * 100) / (taskCpu * target);
    if (requests) {
      const j = Math.round((demand.start + i * demand.stepMs - requests.grid.start) / requests.grid.stepMs);
      const r = j >= 0 && j < requests.grid.values.length ? requests.grid.values[j] : Number.NaN;
      if (Number.isFinite(r)) d = Math.max(d, r / requests.perInstance);
    }
    desiredExact[k++] = d;
  }
  const [p5, p50, p99, peak] = histogramQuantiles(desiredExact, [0.05, 0.5, 0.99, 1]);
  const availabilityFloor = spec.instances.min >= 2 ? 2 : 1;
  const min = Math.max(availabilityFloor, Math.ceil(p5));
  // max is a ceiling for growth beyond the history, not what the service pays for (see the top of
  // the file); a max below today's saves nothing, so today's is its floor.
  const observedPeak = Math.max(peak, input.peakLoad !== undefined && Number.isFinite(input.peakLoad) ? (input.peakLoad * 100) / (taskCpu * target) : 0);
  const growth = Math.min(maxTasksCap, Math.ceil(maxGrowthFactor * observedPeak - 1e-9));
  const max = Math.max(min, Math.ceil(p99 * 1.15), growth, spec.instances.max);
  let recommendedTasks = 0;
  for (const d of desiredExact) recommendedTasks += Math.min(max, Math.max(min, Math.ceil(d)));
  recommendedTasks /= count;
  const currentTasks = input.currentTasks ?? currentMeanTasks(desiredExact, (target * taskCpu) / spec.cpu, spec);
  return {
    current: { ...spec.instances, ...(spec.targetCpu !== undefined ? { target: spec.targetCpu } : {}) },
    recommended: { min, max, target },
    currentTasks,
    recommendedTasks,
    desired: { p50: round2(p50), p99: round2(p99), max: round2(peak) },
    burstP99: round2(burstP99),
    basis: requests ? 'cpu+requests' : 'cpu',
    samples: count,
    window: { from: demand.start + first * demand.stepMs, to: demand.start + (last + 1) * demand.stepMs },
    ...(input.assumption ? { assumption: input.assumption } : {}),
  };
}

/** P99 over time of load(t + 5 min) / load(t) on the grid; at least 1. */
export function burstRatio(demand: Grid): number {
  const k = Math.max(1, Math.round(reactionMs / demand.stepMs));
  const v = demand.values;
  let level = 0;
  let count = 0;
  for (const x of v) if (Number.isFinite(x)) { level += x; count++; }
  const floor = count > 0 ? (0.05 * level) / count : 0; // ignore ratios off near-idle load
  const ratios = new Float64Array(Math.max(0, v.length - k));
  let n = 0;
  for (let i = 0; i + k < v.length; i++) {
    if (Number.isFinite(v[i]) && Number.isFinite(v[i + k]) && v[i] > floor) ratios[n++] = v[i + k] / v[i];
  }
  if (n === 0) return 1;
  return Math.max(1, histogramQuantiles(ratios.subarray(0, n), [0.99])[0]);
}

/** Tasks today: fixed, or what the configured target (default 70 %) would have run with today's task size. */
function currentMeanTasks(desiredAtTarget: Float64Array, target: number, spec: ServiceSpec): number {
  const { min, max } = spec.instances;
  if (min === max) return min;
  const ratio = target / (spec.targetCpu ?? 70);
  let sum = 0;
  for (const d of desiredAtTarget) sum += Math.min(max, Math.max(min, Math.ceil(d * ratio)));
  return sum / desiredAtTarget.length;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
