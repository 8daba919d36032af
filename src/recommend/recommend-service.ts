/**
 * All recommendations for one service, as a table of contents: clean the series, refuse short
 * history, find the season and the incidents, leave the incidents out, then size the task, the
 * fleet and the schedule, and price each change. Pure: series and the service's sizing in, a
 * `ServiceRecommendation` out.
 */
import { anomaliesOfGrid, outsideWindows, type AnomalyWindow, type Season } from './anomalies.ts';
import { cleanSeries, type CleanSeries } from './clean-series.ts';
import { fargatePrice, hoursPerMonth, type FargatePrice } from './fargate-prices.ts';
import type { ForecastEvaluation } from './forecast.ts';
import { coarsen, dayMs, hourMs, maskWindows, toGrid, weekMs, type Grid } from './grid.ts';
import { demandGrid, recommendReplicas, type ReplicaRecommendation } from './replicas.ts';
import { rightSize, type SizeRecommendation } from './right-size.ts';
import { proposeSchedule, type ScheduleRecommendation } from './schedule.ts';
import { seasonalityOfGrid, type Seasonality } from './seasonality.ts';
import type { Sample, ServiceMetrics, ServiceSpec } from './types.ts';

export const minHistoryMs = dayMs;
export const minSamples = 48;
/** Anomalies covering more of the history than this are not left out (see below). */
export const maxAnomalousShare = 0.25;

export type Priced<T> = T & { monthlySaving: number };

export type ServiceRecommendation = {
  app: string;
  service: string;
  status: 'ok' | 'not-enough-data';
  /** Why there is no recommendation, when status is `not-enough-data`. */
  reason?: string;
  /** What cleaning did and what was assumed. */
  notes: string[];
  window?: { from: number; to: number };
  samples: number;
  historyDays: number;
  /** 0..1: min(1, days / 7) × share of expected samples present. */
  confidence: number;
  seasonality?: Seasonality;
  anomalies: (AnomalyWindow & { metric: string })[];
  cpu?: Priced<SizeRecommendation>;
  memory?: Priced<SizeRecommendation>;
  instances?: Priced<ReplicaRecommendation>;
  schedule?: Priced<ScheduleRecommendation>;
  /** Seasonal model vs seasonal-naive on held-back history, whether or not a schedule came of it. */
  forecast?: ForecastEvaluation;
  scheduleReason?: string;
  /** Sum of the priced changes, USD per month; positive saves. */
  monthlySaving: number;
  currency: 'USD';
};

export type RecommendOptions = {
  /** "Now" for recency weighting (default: the last sample's time). */
  now?: number;
  price?: FargatePrice;
  /** Scale horizontally at all (web and worker services). Default true. */
  scalable?: boolean;
};

export function recommendService(spec: ServiceSpec, metrics: ServiceMetrics, options: RecommendOptions = {}): ServiceRecommendation {
  const base = { app: spec.app, service: spec.service, anomalies: [], monthlySaving: 0, currency: 'USD' as const };
  const notes: string[] = [];
  const clean: Partial<Record<keyof ServiceMetrics, CleanSeries>> = {};
  for (const [name, raw] of Object.entries(metrics) as [keyof ServiceMetrics, Sample[]][]) {
    if (!raw) continue;
    clean[name] = cleanSeries(raw);
    for (const note of clean[name].notes) notes.push(`${name}: ${note}`);
  }
  const main = clean.cpu ?? clean.memory;
  if (!main || main.samples.length === 0) {
    return { ...base, status: 'not-enough-data', reason: 'no cpu or memory samples', notes, samples: 0, historyDays: 0, confidence: 0 };
  }
  const historyDays = main.spanMs / dayMs;
  const window = { from: main.samples[0].t, to: main.samples[main.samples.length - 1].t };
  if (main.spanMs < minHistoryMs || main.samples.length < minSamples) {
    const reason = `${main.samples.length} usable sample(s) over ${(main.spanMs / hourMs).toFixed(1)} h; at least ${minSamples} samples over 24 h are needed`;
    return { ...base, status: 'not-enough-data', reason, notes, window, samples: main.samples.length, historyDays, confidence: 0 };
  }
  const confidence = round2(Math.min(1, historyDays / 7) * main.coverage);
  const now = options.now ?? window.to;
  const { price, exact } = options.price ? { price: options.price, exact: true } : fargatePrice(spec.region);
  if (!exact) notes.push(`no Fargate price for ${spec.region}; priced at us-east-1 rates`);

  // Load (vCPU, 5-minute means) drives seasonality, incidents, replicas and schedules.
  const step = Math.max(300_000, main.stepMs);
  const demandOf = clean.cpu ? demandGrid(clean.cpu.samples, spec, step, clean.instances?.samples) : undefined;
  if (demandOf?.assumption) notes.push(demandOf.assumption);
  const load = demandOf?.grid ?? toGrid(main.samples, step);
  const seasonality = seasonalityOfGrid(coarsen(load, hourMs));
  const season: Season = seasonality.period === 168 ? (main.spanMs >= 3 * weekMs ? 'week' : 'day-type') : seasonality.period === 24 ? 'day' : 'none';
  const anomalies: ServiceRecommendation['anomalies'] = [];
  if (clean.cpu) for (const w of anomaliesOfGrid(load, { season })) anomalies.push({ ...w, metric: 'cpu' });
  if (clean.memory) for (const w of anomaliesOfGrid(toGrid(clean.memory.samples, step), { season })) anomalies.push({ ...w, metric: 'memory' });
  anomalies.sort((a, b) => a.from - b.from);
  let windows = mergeWindows(anomalies);
  const covered = windows.reduce((sum, w) => sum + (w.to - w.from), 0) / Math.max(1, main.spanMs);
  if (covered > maxAnomalousShare) {
    // What covers a quarter of the history is how the service behaves (a new level), not an incident.
    notes.push(`the ${anomalies.length} anomalous window(s) cover ${Math.round(covered * 100)} % of the history; kept in sizing as the new normal`);
    windows = [];
  } else if (anomalies.length > 0) notes.push(`${anomalies.length} anomalous window(s) left out of sizing`);
  const normal = <T extends { t: number }>(series: readonly T[]) => outsideWindows(series, windows);

  const scalable = options.scalable ?? true;
  const autoscales = scalable && spec.instances.min !== spec.instances.max;
  if (autoscales && clean.cpu) notes.push('cpu per task is left to horizontal scaling (instances min < max); only memory is right-sized');
  const sizing = rightSize({
    cpu: autoscales ? undefined : (clean.cpu ? normal(clean.cpu.samples) : undefined),
    memory: (clean.memory ? normal(clean.memory.samples) : undefined),
    spec,
    now,
    price,
  });
  const taskCpu = sizing.size.cpu;
  const hourly = (cpu: number, mem: number) => cpu * price.vcpuHour + (mem / 1024) * price.gbHour;
  const newTaskMonthly = hourly(sizing.size.cpu, sizing.size.memoryMiB) * hoursPerMonth;

  let instances: Priced<ReplicaRecommendation> | undefined;
  let schedule: Priced<ScheduleRecommendation> | undefined;
  let forecast: ForecastEvaluation | undefined;
  let scheduleReason: string | undefined;
  const meanRunning = clean.instances ? mean(clean.instances.samples) : undefined;
  if (scalable && demandOf) {
    const demand = maskWindows(demandOf.grid, windows);
    const requests = clean.requests && spec.requestsPerInstance ? { grid: maskWindows(toGrid(clean.requests.samples, step), windows), perInstance: spec.requestsPerInstance } : undefined;
    const replicas = recommendReplicas({ demand, spec, taskCpu, currentTasks: meanRunning, requests, peakLoad: peakOf(demandOf.grid) });
    if (replicas) {
      instances = { ...replicas, monthlySaving: round2((replicas.currentTasks - replicas.recommendedTasks) * newTaskMonthly) };
      const outcome = proposeSchedule({ hourly: coarsen(demand, hourMs), seasonality, taskCpu, target: replicas.recommended.target, min: replicas.recommended.min, max: replicas.recommended.max });
      forecast = outcome.evaluation;
      scheduleReason = outcome.reason;
      if (outcome.schedule) schedule = { ...outcome.schedule, monthlySaving: round2(-outcome.schedule.extraTasks * newTaskMonthly) };
    }
  }
  const tasksNow = instances?.currentTasks ?? meanRunning ?? spec.instances.min;
  const cpu = sizing.cpu && { ...sizing.cpu, monthlySaving: round2((spec.cpu - sizing.size.cpu) * price.vcpuHour * hoursPerMonth * tasksNow) };
  const memory = sizing.memory && {
    ...sizing.memory,
    monthlySaving: round2(((spec.memoryMiB - sizing.size.memoryMiB) / 1024) * price.gbHour * hoursPerMonth * tasksNow),
  };
  const monthlySaving = round2((cpu?.monthlySaving ?? 0) + (memory?.monthlySaving ?? 0) + (instances?.monthlySaving ?? 0) + (schedule?.monthlySaving ?? 0));
  return {
    ...base,
    status: 'ok',
    notes,
    window,
    samples: main.samples.length,
    historyDays: round2(historyDays),
    confidence,
    seasonality,
    anomalies,
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(instances ? { instances } : {}),
    ...(schedule ? { schedule } : {}),
    ...(forecast ? { forecast } : {}),
    ...(scheduleReason ? { scheduleReason } : {}),
    monthlySaving,
  };
}

/** Overlapping windows (cpu and memory may flag the same incident) merged, sorted by start. */
function mergeWindows(windows: readonly AnomalyWindow[]): AnomalyWindow[] {
  const sorted = [...windows].sort((a, b) => a.from - b.from);
  const out: AnomalyWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.from <= last.to) out[out.length - 1] = { ...last, to: Math.max(last.to, w.to) };
    else out.push({ ...w });
  }
  return out;
}

function mean(samples: Sample[]): number {
  let sum = 0;
  for (const s of samples) sum += s.v;
  return sum / samples.length;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Largest finite value of a grid (0 when there is none). */
function peakOf(grid: Grid): number {
  let peak = 0;
  for (const v of grid.values) if (Number.isFinite(v) && v > peak) peak = v;
  return peak;
}
