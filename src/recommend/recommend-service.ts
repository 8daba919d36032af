/**
 * All recommendations for one service, as a table of contents: clean the series, refuse short
 * history, find the season and the incidents, leave the incidents out, then size the task, the
 * fleet and the schedule, and price each change. Pure: series and the service's sizing in, a
 * `ServiceRecommendation` out.
 */
import { defaultAnomalyOptions, outsideWindows, scanAnomalies, type AnomalyOptions, type AnomalyWindow, type Season } from './anomalies.ts';
import { recommendBacklogPerInstance, type BacklogRecommendation } from './backlog-per-instance.ts';
import type { Calibration } from './calibrate-threshold.ts';
import { clampFleet, clampFloors, finiteSaving } from './clamp-to-schema.ts';
import { cleanSeries, type CleanSeries } from './clean-series.ts';
import { fargatePrice, hoursPerMonth, type FargatePrice } from './fargate-prices.ts';
import type { ForecastEvaluation } from './forecast.ts';
import { coarsen, dayMs, hourMs, maskWindows, toGrid, weekMs, type Grid } from './grid.ts';
import { describeImplausible, plausibleMax, type Implausible } from './plausible.ts';
import { demandGrid, recommendReplicas, type PerInstanceSeries, type ReplicaRecommendation } from './replicas.ts';
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
  /** Per metric scanned: the |z| threshold calibrated on its history and the false-alarm rate it was calibrated to. */
  anomalyThresholds?: { metric: string; threshold: number; falseAlarmsPerDay: number; method: Calibration['method'] }[];
  /** Samples no service can produce (utilisation far above 100 %, 1e300), left out of everything. */
  implausible?: Implausible[];
  cpu?: Priced<SizeRecommendation>;
  memory?: Priced<SizeRecommendation>;
  instances?: Priced<ReplicaRecommendation>;
  schedule?: Priced<ScheduleRecommendation>;
  /** Worker with a backlog series: the backlog per task to scale on (`autoscaling.backlogPerInstance`). */
  backlogPerInstance?: BacklogRecommendation;
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
  /** Share of the history's intervals the recommended scaling may breach in its replay (default 1 %). */
  breachBudget?: number;
  /** Policies within this share of the cheapest count as equally cheap; the one whose scaler breaches least alone wins (default 1 %). */
  costTolerance?: number;
  /** The anomaly detector's settings (false alarms per day and the cross-validated ones). */
  anomaly?: Omit<AnomalyOptions, 'season' | 'stepMs' | 'threshold'>;
};

export function recommendService(spec: ServiceSpec, metrics: ServiceMetrics, options: RecommendOptions = {}): ServiceRecommendation {
  const base = { app: spec.app, service: spec.service, anomalies: [], monthlySaving: 0, currency: 'USD' as const };
  const notes: string[] = [];
  const clean: Partial<Record<keyof ServiceMetrics, CleanSeries>> = {};
  const implausible: Implausible[] = [];
  for (const [name, raw] of Object.entries(metrics) as [keyof ServiceMetrics, Sample[]][]) {
    if (!raw) continue;
    clean[name] = cleanSeries(raw, { maxPlausible: plausibleMax[name] });
    const dropped = clean[name].implausible;
    if (dropped) {
      const flag = { metric: name, ...dropped, bound: plausibleMax[name] };
      implausible.push(flag);
      notes.push(`${name}: ${describeImplausible(flag)}`);
    }
    for (const note of clean[name].notes) notes.push(`${name}: ${note}`);
  }
  const flagged = implausible.length > 0 ? { implausible } : {};
  const main = clean.cpu ?? clean.memory;
  if (!main || main.samples.length === 0) {
    return { ...base, ...flagged, status: 'not-enough-data', reason: 'no cpu or memory samples', notes, samples: 0, historyDays: 0, confidence: 0 };
  }
  const historyDays = main.spanMs / dayMs;
  const window = { from: main.samples[0].t, to: main.samples[main.samples.length - 1].t };
  if (main.spanMs < minHistoryMs || main.samples.length < minSamples) {
    const reason = `${main.samples.length} usable sample(s) over ${(main.spanMs / hourMs).toFixed(1)} h; at least ${minSamples} samples over 24 h are needed`;
    return { ...base, ...flagged, status: 'not-enough-data', reason, notes, window, samples: main.samples.length, historyDays, confidence: 0 };
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
  const anomalyThresholds: NonNullable<ServiceRecommendation['anomalyThresholds']> = [];
  const scan = (metric: string, grid: Grid) => {
    const found = scanAnomalies(grid, { ...options.anomaly, season });
    for (const w of found.windows) anomalies.push({ ...w, metric });
    if (found.calibration) {
      const { threshold, method } = found.calibration;
      anomalyThresholds.push({ metric, threshold: Math.round(threshold * 100) / 100, falseAlarmsPerDay: options.anomaly?.falseAlarmsPerDay ?? defaultAnomalyOptions.falseAlarmsPerDay, method });
    }
  };
  if (clean.cpu) scan('cpu', load);
  if (clean.memory) scan('memory', toGrid(clean.memory.samples, step));
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
  let backlogPerInstance: BacklogRecommendation | undefined;
  const meanRunning = clean.instances ? meanOf(clean.instances.samples) : undefined;
  if (scalable && demandOf) {
    const demand = maskWindows(demandOf.grid, windows);
    const perInstance = perInstanceSeries(clean, spec, step, windows);
    const replicas = recommendReplicas({ demand, spec, taskCpu, currentTasks: meanRunning, perInstance, peakLoad: peakOf(demandOf.grid), breachBudget: options.breachBudget, costTolerance: options.costTolerance });
    if (replicas) {
      // The last guard: whatever the statistics say, the suggestion is a value paas.yaml accepts.
      const clamped = clampFleet(replicas.recommended);
      notes.push(...clamped.notes);
      if (replicas.headroom) notes.push(replicas.headroom.reason);
      const recommended = clamped.fleet;
      instances = { ...replicas, recommended, monthlySaving: finiteSaving(round2((replicas.currentTasks - replicas.recommendedTasks) * newTaskMonthly)) };
      const outcome = proposeSchedule({ hourly: coarsen(demand, hourMs), seasonality, taskCpu, target: recommended.target, min: recommended.min, max: recommended.max });
      forecast = outcome.evaluation;
      scheduleReason = outcome.reason;
      if (outcome.schedule) schedule = { ...outcome.schedule, floors: clampFloors(outcome.schedule.floors, recommended), monthlySaving: finiteSaving(round2(-outcome.schedule.extraTasks * newTaskMonthly)) };
      if (clean.backlog && clean.cpu) {
        backlogPerInstance = recommendBacklogPerInstance({
          backlog: maskWindows(toGrid(clean.backlog.samples, step), windows),
          tasks: clean.instances ? toGrid(clean.instances.samples, step) : spec.instances.max,
          cpuPercent: maskWindows(toGrid(clean.cpu.samples, step), windows),
          target: recommended.target,
          current: spec.backlogPerInstance,
        });
      }
    }
  }
  const tasksNow = instances?.currentTasks ?? meanRunning ?? spec.instances.min;
  const cpu = sizing.cpu && { ...sizing.cpu, monthlySaving: finiteSaving(round2((spec.cpu - sizing.size.cpu) * price.vcpuHour * hoursPerMonth * tasksNow)) };
  const memory = sizing.memory && {
    ...sizing.memory,
    monthlySaving: finiteSaving(round2(((spec.memoryMiB - sizing.size.memoryMiB) / 1024) * price.gbHour * hoursPerMonth * tasksNow)),
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
    ...(anomalyThresholds.length > 0 ? { anomalyThresholds } : {}),
    ...flagged,
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(instances ? { instances } : {}),
    ...(schedule ? { schedule } : {}),
    ...(backlogPerInstance ? { backlogPerInstance } : {}),
    ...(forecast ? { forecast } : {}),
    ...(scheduleReason ? { scheduleReason } : {}),
    monthlySaving,
  };
}

/**
 * What desired tasks follow besides cpu: requests per instance (web, `requestsPerInstance`) or
 * queue backlog per instance (worker, `backlogPerInstance`), with the incidents left out.
 */
function perInstanceSeries(clean: Partial<Record<keyof ServiceMetrics, CleanSeries>>, spec: ServiceSpec, step: number, windows: readonly AnomalyWindow[]): PerInstanceSeries | undefined {
  if (clean.requests && spec.requestsPerInstance) return { kind: 'requests', grid: maskWindows(toGrid(clean.requests.samples, step), windows), perInstance: spec.requestsPerInstance };
  if (clean.backlog && spec.backlogPerInstance) return { kind: 'backlog', grid: maskWindows(toGrid(clean.backlog.samples, step), windows), perInstance: spec.backlogPerInstance };
  return undefined;
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

/**
 * Mean of the samples' values. A plain loop, not simple-statistics' `mean`: that takes an array of
 * numbers, and mapping 20,160 sample objects to one cost 7 % of a recommendation in the profile.
 */
function meanOf(samples: Sample[]): number {
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
