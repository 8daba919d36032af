/**
 * A series on a regular time grid: bucket means, NaN where a bucket holds no sample. Seasonal
 * analysis works on grids so that "the same hour last week" is an index offset, not a search.
 */
import type { Sample } from './types.ts';

export type Grid = { start: number; stepMs: number; values: Float64Array };

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;
export const weekMs = 7 * dayMs;

/** Bucket means; `start` is aligned down to a multiple of `stepMs` (UTC), so slots are hours of the day/week. */
export function toGrid(samples: readonly Sample[], stepMs: number): Grid {
  if (samples.length === 0) return { start: 0, stepMs, values: new Float64Array(0) };
  const start = Math.floor(samples[0].t / stepMs) * stepMs;
  const n = Math.floor((samples[samples.length - 1].t - start) / stepMs) + 1;
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const s of samples) {
    const i = Math.floor((s.t - start) / stepMs);
    sums[i] += s.v;
    counts[i]++;
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = counts[i] > 0 ? sums[i] / counts[i] : Number.NaN;
  return { start, stepMs, values };
}

/** Slot of grid index `i` within a period (hour-of-week when period is a week). Epoch day 0 was a Thursday; slots count from Monday 00:00 UTC. */
export function slotOf(grid: Grid, i: number, periodMs: number): number {
  const mondayOffset = 4 * dayMs; // 1970-01-05 was a Monday
  const t = grid.start + i * grid.stepMs + mondayOffset;
  return Math.floor((((t % periodMs) + periodMs) % periodMs) / grid.stepMs);
}

/** Median of the finite values in `values` (copied; the input is not reordered). */
export function median(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  if (count === 0) return Number.NaN;
  const finite = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[k++] = values[i];
  finite.sort(); // typed arrays sort numerically, natively
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}
