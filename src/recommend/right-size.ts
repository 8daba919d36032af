/**
 * Right-sizing a task, after the Kubernetes VPA recommender:
 * - cpu: the recency-weighted P90 of absolute usage (24 h half-life), plus a 15 % safety margin;
 * - memory: the peak of absolute usage (running out of memory kills the task; running out of cpu
 *   only slows it), plus the same margin;
 * - bounds widen when history is short: upper = target × (1 + 1/days), lower = target × (1 + 0.001/days)^−2,
 *   as the VPA's confidence multipliers do; a decrease is only recommended down to the upper bound;
 * - the result is snapped jointly to the cheapest valid Fargate cpu/memory pair.
 * Utilisation series are percent of the CURRENT allocation; they are converted to vCPU and MiB here.
 */
import { snapToFargate } from './fargate-size.ts';
import type { FargatePrice } from './fargate-prices.ts';
import { dayMs } from './grid.ts';
import { histogramQuantiles } from './histogram-quantiles.ts';
import type { Sample, ServiceSpec } from './types.ts';
import { weightedPercentile } from './weighted-percentile.ts';

export const safetyMargin = 0.15;

export type Percentiles = { p50: number; p90: number; p99: number; max: number };

export type SizeRecommendation = {
  resource: 'cpu' | 'memory';
  unit: 'vCPU' | 'MiB';
  current: number;
  /** Snapped to a valid Fargate size. */
  recommended: number;
  /** What the statistics ask for before snapping (basis × (1 + margin)). */
  target: number;
  lowerBound: number;
  upperBound: number;
  /** `weighted P90` for cpu, `peak` for memory. */
  basis: string;
  basisValue: number;
  /** Unweighted percentiles of absolute usage, for the reviewer (histogram, within 1/4096 of the range). */
  percentiles: Percentiles;
  samples: number;
  window: { from: number; to: number };
};

export type RightSizing = { cpu?: SizeRecommendation; memory?: SizeRecommendation; size: { cpu: number; memoryMiB: number } };

export function rightSize(input: { cpu?: Sample[]; memory?: Sample[]; spec: ServiceSpec; now: number; price: FargatePrice }): RightSizing {
  const { spec, now } = input;
  const cpuStats = input.cpu && input.cpu.length > 0 ? usage(input.cpu, spec.cpu, now, 'cpu') : undefined;
  const memStats = input.memory && input.memory.length > 0 ? usage(input.memory, spec.memoryMiB, now, 'memory') : undefined;
  const cpuNeed = cpuStats ? choose(cpuStats.target, cpuStats.upper, spec.cpu) : spec.cpu;
  const memNeed = memStats ? choose(memStats.target, memStats.upper, spec.memoryMiB) : spec.memoryMiB;
  const size = snapToFargate(cpuNeed, memNeed, input.price) ?? { cpu: spec.cpu, memoryMiB: spec.memoryMiB };
  const out: RightSizing = { size };
  if (cpuStats) out.cpu = { resource: 'cpu', unit: 'vCPU', current: spec.cpu, recommended: size.cpu, ...cpuStats.evidence };
  if (memStats) out.memory = { resource: 'memory', unit: 'MiB', current: spec.memoryMiB, recommended: size.memoryMiB, ...memStats.evidence };
  return out;
}

/** Grow to the target; shrink no further than the upper bound (uncertainty favours the current size). */
function choose(target: number, upper: number, current: number): number {
  return target > current ? target : Math.min(current, upper);
}

function usage(series: Sample[], allocation: number, now: number, kind: 'cpu' | 'memory') {
  const scale = allocation / 100;
  const absolute = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) absolute[i] = series[i].v * scale;
  const [p50, p90, p99, max] = histogramQuantiles(absolute, [0.5, 0.9, 0.99, 1]);
  const percentiles: Percentiles = { p50, p90, p99, max };
  const basisValue = kind === 'cpu' ? weightedPercentile(series, 0.9, now) * scale : percentiles.max;
  const target = basisValue * (1 + safetyMargin);
  const days = Math.max((series[series.length - 1].t - series[0].t) / dayMs, 1 / 24);
  const upper = target * (1 + 1 / days);
  const lower = target * Math.pow(1 + 0.001 / days, -2);
  return {
    target,
    upper,
    evidence: {
      target,
      lowerBound: lower,
      upperBound: upper,
      basis: kind === 'cpu' ? 'weighted P90' : 'peak',
      basisValue,
      percentiles,
      samples: series.length,
      window: { from: series[0].t, to: series[series.length - 1].t },
    },
  };
}
