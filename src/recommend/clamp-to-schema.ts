/**
 * Every recommendation is a value `paas.yaml` accepts: a suggestion the loader would reject is
 * worse than none (the one-click fix would break the file). Instances are whole tasks within
 * 0..1000 (max at least 1, min ≤ max), the target a whole percent in 1..100, schedule floors within
 * the recommended range; task sizes are snapped to Fargate pairs where they are computed
 * (fargate-size.ts). Whatever had to be clamped says so.
 */
import { maxInstances } from '../config/schema.ts';
import type { ScheduleFloor } from '../config/schema.ts';

export type FleetSettings = { min: number; max: number; target: number };

export function clampFleet(fleet: FleetSettings): { fleet: FleetSettings; notes: string[] } {
  const notes: string[] = [];
  const whole = (x: number, low: number, high: number, what: string) => {
    const value = Number.isFinite(x) ? Math.round(x) : high;
    if (value > high) notes.push(`${what} ${format(x)} is above paas.yaml's limit of ${high}: capped at ${high}`);
    return Math.min(high, Math.max(low, value));
  };
  const max = whole(fleet.max, 1, maxInstances, 'instances max');
  const min = Math.min(max, whole(fleet.min, 0, maxInstances, 'instances min'));
  const target = whole(fleet.target, 1, 100, 'target');
  return { fleet: { min, max, target }, notes };
}

/** Floors within [min, max] of the clamped fleet, whole tasks. */
export function clampFloors(floors: ScheduleFloor[], fleet: FleetSettings): ScheduleFloor[] {
  return floors.map((f) => (f.min === undefined ? f : { ...f, min: Math.min(fleet.max, Math.max(fleet.min, Math.round(f.min))) }));
}

/** A saving that is not a finite number (it never should be, after the clamps) is reported as 0. */
export function finiteSaving(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

function format(x: number): string {
  return Math.abs(x) >= 1e6 || !Number.isFinite(x) ? x.toExponential(2) : String(Math.round(x));
}
