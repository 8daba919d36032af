/**
 * Capacity: each trace is demand on a service. A task serves a tenth of the first half's peak, so
 * today's service is 13 tasks (that peak at the 80 % ceiling), autoscaling 1–13. The engine sees
 * the first half (as cpu utilisation of 13 one-vCPU tasks) and recommends min, max, target and
 * schedule floors; the second half is replayed with the same target-tracking model the engine uses
 * (src/recommend/target-tracking.ts: out the next interval, in after 15 minutes) and the floors.
 * Beside it, in the same replay, the scaler every user already has: target tracking at AWS's
 * common 70 % cpu with today's min and max (1–13), no floors.
 * Cost = task-intervals relative to static provisioning for the whole trace's observed peak
 * (hindsight, so it never breaches). Breach = demand above 80 % of running capacity.
 */
import { recommendService, type RecommendOptions } from '../../src/recommend/recommend-service.ts';
import { replayTargetTracking, utilisationCeiling, type TrackingPolicy } from '../../src/recommend/target-tracking.ts';
import type { Trace } from './traces.ts';

export const peakTasks = Math.ceil(10 / (utilisationCeiling / 100));
export const baselineTarget = 70;

export type PolicyOutcome = { costVsPeak: number; breachRate: number; breachVsTarget: number };
export type CapacityResult = {
  trace: string;
  intervals: number;
  staticTasks: number;
  engine: PolicyOutcome & { min: number; max: number; target: number; floors: number; headroom: boolean; historyBreachRate: number };
  /** Target tracking at 70 % with today's min and max (1–13). */
  baseline: PolicyOutcome;
  note?: string;
};

export function replayCapacity(trace: Trace, options: Pick<RecommendOptions, 'breachBudget' | 'costTolerance' | 'anomaly'>): CapacityResult {
  const { samples } = trace;
  const half = Math.floor(samples.length / 2);
  const train = samples.slice(0, half);
  const replay = samples.slice(half);
  let trainPeak = 0;
  for (const s of train) trainPeak = Math.max(trainPeak, s.v);
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, s.v);
  const unit = trainPeak / 10 || 1; // demand one task serves at 100 %
  const staticTasks = Math.ceil(peak / unit / (utilisationCeiling / 100)); // hindsight: the whole trace's peak
  const load = replay.map((s) => s.v / unit); // vCPU of one-vCPU tasks
  const last = train[train.length - 1].v / unit;
  const run = (policy: TrackingPolicy, floorAt?: (i: number) => number): PolicyOutcome => {
    const initial = Math.min(policy.max, Math.max(policy.min, Math.ceil(last / (policy.target / 100) - 1e-9)));
    const r = replayTargetTracking(load, 1, policy, { initial, ...(floorAt ? { floorAt } : {}) });
    return { costVsPeak: r.taskIntervals / (staticTasks * r.intervals), breachRate: r.breaches / r.intervals, breachVsTarget: r.overTarget / r.intervals };
  };
  const baseline = run({ target: baselineTarget, min: 1, max: peakTasks });
  const spec = { app: 'eval', service: 'trace', cpu: 1, memoryMiB: 2048, instances: { min: 1, max: peakTasks }, region: 'us-east-1' };
  const cpu = train.map((s) => ({ t: s.t, v: (s.v / (unit * peakTasks)) * 100 }));
  const instances = train.map((s) => ({ t: s.t, v: peakTasks }));
  const rec = recommendService(spec, { cpu, instances }, options);
  const base = { trace: trace.name, intervals: replay.length, staticTasks, baseline };
  if (rec.status !== 'ok' || !rec.instances) {
    const kept = run({ target: 80, min: peakTasks, max: peakTasks });
    return { ...base, engine: { ...kept, min: peakTasks, max: peakTasks, target: 80, floors: 0, headroom: false, historyBreachRate: 0 }, note: rec.reason ?? 'no recommendation: kept peak provisioning' };
  }
  const { min, max, target } = rec.instances.recommended;
  const floors = (rec.schedule?.floors ?? []).map(parseFloor);
  const engine = run({ target, min, max }, floors.length > 0 ? (i) => floorAt(floors, replay[i].t) ?? 0 : undefined);
  return { ...base, engine: { ...engine, min, max, target, floors: floors.length, headroom: rec.instances.headroom !== undefined, historyBreachRate: rec.instances.replay.breachRate } };
}

type Floor = { hour: number; days: number[]; min: number };

function parseFloor(floor: { cron: string; min?: number }): Floor {
  const [, hour, , , days] = floor.cron.split(' ');
  const daySet = days === '*' ? [0, 1, 2, 3, 4, 5, 6] : days.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
  return { hour: Number(hour), days: daySet, min: floor.min ?? 0 };
}

/** The floor in force at `t`: the latest entry at or before t within the past week. */
function floorAt(floors: Floor[], t: number): number | undefined {
  if (floors.length === 0) return undefined;
  const date = new Date(t);
  const now = date.getUTCDay() * 24 + date.getUTCHours();
  let best: { age: number; min: number } | undefined;
  for (const f of floors) {
    for (const d of f.days) {
      const age = (now - (d * 24 + f.hour) + 168) % 168;
      if (!best || age < best.age) best = { age, min: f.min };
    }
  }
  return best?.min;
}

/** Interval-weighted totals over traces. */
export function capacityOverall(results: CapacityResult[]) {
  const intervals = results.reduce((s, c) => s + c.intervals, 0);
  const weighted = (f: (c: CapacityResult) => number) => results.reduce((s, c) => s + f(c) * c.intervals, 0) / intervals;
  return {
    engine: { costVsPeak: weighted((c) => c.engine.costVsPeak), breachRate: weighted((c) => c.engine.breachRate), breachVsTarget: weighted((c) => c.engine.breachVsTarget), worstBreach: Math.max(...results.map((c) => c.engine.breachRate)) },
    baseline: { costVsPeak: weighted((c) => c.baseline.costVsPeak), breachRate: weighted((c) => c.baseline.breachRate), breachVsTarget: weighted((c) => c.baseline.breachVsTarget), worstBreach: Math.max(...results.map((c) => c.baseline.breachRate)) },
  };
}
