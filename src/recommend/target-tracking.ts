/**
 * AWS target tracking, replayed on a load series: the model both the engine (choosing min and
 * target on a service's history) and the evaluation (replaying history it never saw) use, so the
 * two cannot drift apart.
 *
 * - Each interval (5 minutes) the scaler sees the load and asks for desired =
 *   ceil(load / (task vCPU × target)) tasks, clamped to [min, max] (and to the schedule's floor).
 * - Scale-out takes effect the next interval (the scaler reacts to what it saw; the load may grow
 *   meanwhile). Scale-in waits until the load has asked for fewer tasks for 15 minutes (AWS's
 *   scale-in alarm wants 15 consecutive one-minute datapoints below target): running is the
 *   largest desired of the last `scaleInIntervals` (3) intervals.
 * - A breach is an interval whose load exceeds `ceiling` (80 %) of the running capacity.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html
 */
/** The utilisation a task must stay under; above it an interval counts as a breach. */
export const utilisationCeiling = 80;
export const scaleInIntervals = 3;

export type TrackingPolicy = {
  /** Target utilisation, percent. */
  target: number;
  min: number;
  max: number;
};

export type TrackingReplay = {
  /** Intervals with a finite load. */
  intervals: number;
  /** Sum of running tasks over those intervals (mean tasks × intervals). */
  taskIntervals: number;
  /** Intervals whose load exceeded the ceiling of the running capacity. */
  breaches: number;
  /** Intervals whose load exceeded the target itself (any reactive scaler does while load rises). */
  overTarget: number;
};

export type ReplayOptions = {
  /** Tasks asked for besides cpu, per interval (requests or backlog per instance); NaN = none. */
  extraDesired?: ArrayLike<number>;
  /** A floor in force at interval i (a schedule entry), besides min. */
  floorAt?: (i: number) => number;
  /** Running tasks before the first interval (default: what the first interval asks for). */
  initial?: number;
  ceiling?: number;
};

/** Replay `load` (vCPU per interval; NaN where unknown, skipped) under `policy`. */
export function replayTargetTracking(load: ArrayLike<number>, taskCpu: number, policy: TrackingPolicy, options: ReplayOptions = {}): TrackingReplay {
  const { target, min, max } = policy;
  const ceiling = (options.ceiling ?? utilisationCeiling) / 100;
  const perTask = (taskCpu * target) / 100;
  const recent: number[] = [];
  let running = options.initial;
  const out: TrackingReplay = { intervals: 0, taskIntervals: 0, breaches: 0, overTarget: 0 };
  for (let i = 0; i < load.length; i++) {
    const v = load[i];
    if (!Number.isFinite(v)) continue;
    const floor = Math.max(min, options.floorAt?.(i) ?? 0);
    const extra = options.extraDesired?.[i];
    const desired = Math.min(max, Math.max(floor, Math.ceil(v / perTask - 1e-9), Number.isFinite(extra) ? Math.ceil((extra as number) - 1e-9) : 0));
    running ??= desired;
    const capacity = Math.max(running, floor);
    out.intervals++;
    out.taskIntervals += capacity;
    if (v > ceiling * taskCpu * capacity + 1e-12) out.breaches++;
    if (v > perTask * capacity + 1e-12) out.overTarget++;
    recent.push(desired);
    if (recent.length > scaleInIntervals) recent.shift();
    running = Math.max(...recent);
  }
  return out;
}
