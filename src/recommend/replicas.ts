/**
 * Instances and autoscaling from load, with target-tracking arithmetic: at each sample,
 * desired = ceil(running × utilisation / target) tasks, computed for the recommended task size.
 * - `ceiling` (80 %) is the utilisation a task must stay under; above it counts as a breach.
 * - The recommended target leaves room for the load to grow while a scale-out happens: it is the
 *   ceiling divided by the P99 of the five-minute growth ratio of load, rounded down to 5 %.
 * - max covers the P99 of desired tasks with 15 % headroom, and never goes below today's max;
 *   min is the P5 (at least 2 when the service ran 2 or more, for availability).
 */
import { histogramQuantiles } from './histogram-quantiles.ts';
import { toGrid } from './grid.ts';
import type { Sample, ServiceSpec } from './types.ts';

export const utilisationCeiling = 80;
export const reactionMs = 5 * 60_000;

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
  samples: number;
  window: { from: number; to: number };
  assumption?: string;
};

/** Load in vCPU over time: utilisation × current task cpu × running tasks. */
export function cpuDemand(cpu: readonly Sample[], spec: ServiceSpec, instances?: readonly Sample[]): { demand: Sample[]; assumption?: string } {
  let assumption: string | undefined;
  let fixed: number | undefined;
  if (!instances || instances.length === 0) {
    fixed = spec.instances.max;
    if (spec.instances.min !== spec.instances.max) assumption = `running task count unknown; assumed the configured max (${fixed}), which overstates load if fewer ran`;
  }
  const demand: Sample[] = new Array(cpu.length);
  let j = 0;
  for (let i = 0; i < cpu.length; i++) {
    let n = fixed;
    if (n === undefined && instances) {
      while (j + 1 < instances.length && instances[j + 1].t <= cpu[i].t) j++;
      n = instances[j].v;
    }
    demand[i] = { t: cpu[i].t, v: (cpu[i].v / 100) * spec.cpu * (n ?? 1) };
  }
  return { demand, assumption };
}

export function recommendReplicas(input: {
  demand: Sample[];
  spec: ServiceSpec;
  /** vCPU of a task after right-sizing. */
  taskCpu: number;
  stepMs: number;
  currentTasks?: number;
  assumption?: string;
}): ReplicaRecommendation | undefined {
  const { demand, spec, taskCpu } = input;
  if (demand.length < 2) return undefined;
  const burstP99 = burstRatio(demand, input.stepMs);
  const target = Math.max(30, Math.min(utilisationCeiling, Math.floor(utilisationCeiling / burstP99 / 5) * 5));
  const desiredExact = new Float64Array(demand.length);
  for (let i = 0; i < demand.length; i++) desiredExact[i] = (demand[i].v * 100) / (taskCpu * target);
  const [p5, p50, p99, peak] = histogramQuantiles(desiredExact, [0.05, 0.5, 0.99, 1]);
  const availabilityFloor = spec.instances.min >= 2 ? 2 : 1;
  const min = Math.max(availabilityFloor, Math.ceil(p5));
  // A max below today's max saves nothing (tasks cost when they run) and risks breaches when load
  // outgrows the history: keep today's as the floor of the cap.
  const max = Math.max(min, Math.ceil(p99 * 1.15), Math.ceil(peak), spec.instances.max);
  let recommendedTasks = 0;
  for (const d of desiredExact) recommendedTasks += Math.min(max, Math.max(min, Math.ceil(d)));
  recommendedTasks /= desiredExact.length;
  const currentTasks = input.currentTasks ?? currentMeanTasks(demand, spec);
  return {
    current: { ...spec.instances, ...(spec.targetCpu !== undefined ? { target: spec.targetCpu } : {}) },
    recommended: { min, max, target },
    currentTasks,
    recommendedTasks,
    desired: { p50: round2(p50), p99: round2(p99), max: round2(peak) },
    burstP99: round2(burstP99),
    samples: demand.length,
    window: { from: demand[0].t, to: demand[demand.length - 1].t },
    ...(input.assumption ? { assumption: input.assumption } : {}),
  };
}

/** P99 over time of load(t + 5 min) / load(t); at least 1. */
export function burstRatio(demand: readonly Sample[], stepMs: number): number {
  // Five-minute means: what a target-tracking alarm sees; 1-minute noise would overstate bursts.
  const grid = toGrid(demand, Math.max(stepMs, reactionMs));
  const k = Math.max(1, Math.round(reactionMs / grid.stepMs));
  const v = grid.values;
  let level = 0;
  let count = 0;
  for (const x of v) if (Number.isFinite(x)) { level += x; count++; }
  const floor = count > 0 ? (0.05 * level) / count : 0; // ignore ratios off near-idle load
  const ratios = new Float64Array(Math.max(0, v.length - k));
  let count2 = 0;
  for (let i = 0; i + k < v.length; i++) {
    if (Number.isFinite(v[i]) && Number.isFinite(v[i + k]) && v[i] > floor) ratios[count2++] = v[i + k] / v[i];
  }
  if (count2 === 0) return 1;
  return Math.max(1, histogramQuantiles(ratios.subarray(0, count2), [0.99])[0]);
}

function currentMeanTasks(demand: Sample[], spec: ServiceSpec): number {
  const { min, max } = spec.instances;
  if (min === max) return min;
  const target = spec.targetCpu ?? 70;
  let sum = 0;
  for (const s of demand) sum += Math.min(max, Math.max(min, Math.ceil((s.v * 100) / (spec.cpu * target))));
  return sum / demand.length;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
