/**
 * A series on a regular time grid: bucket means, NaN where a bucket holds no sample. Seasonal
 * analysis works on grids so that "the same hour last week" is an index offset, not a search.
 */
import type { Sample } from './types.ts';

export type Grid = { start: number; stepMs: number; values: Float64Array };

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;
export const weekMs = 7 * dayMs;

/**
 * Bucket means; `start` is aligned down to a multiple of `stepMs` (UTC), so slots are hours of the
 * day/week. `valueOf`, when given, maps each sample (called in order) instead of `v`.
 */
export function toGrid(samples: readonly Sample[], stepMs: number, valueOf?: (s: Sample) => number): Grid {
  if (samples.length === 0) return { start: 0, stepMs, values: new Float64Array(0) };
  const start = Math.floor(samples[0].t / stepMs) * stepMs;
  const n = Math.floor((samples[samples.length - 1].t - start) / stepMs) + 1;
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const s of samples) {
    const i = Math.floor((s.t - start) / stepMs);
    sums[i] += valueOf ? valueOf(s) : s.v;
    counts[i]++;
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = counts[i] > 0 ? sums[i] / counts[i] : Number.NaN;
  return { start, stepMs, values };
}

/** Means of `stepMs` buckets of a finer grid (empty buckets stay NaN): an hourly grid from a 5-minute one. */
export function coarsen(grid: Grid, stepMs: number): Grid {
  if (stepMs <= grid.stepMs || grid.values.length === 0) return grid;
  const start = Math.floor(grid.start / stepMs) * stepMs;
  const n = Math.floor((grid.start + (grid.values.length - 1) * grid.stepMs - start) / stepMs) + 1;
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (let i = 0; i < grid.values.length; i++) {
    const v = grid.values[i];
    if (!Number.isFinite(v)) continue;
    const k = Math.floor((grid.start + i * grid.stepMs - start) / stepMs);
    sums[k] += v;
    counts[k]++;
  }
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = counts[k] > 0 ? sums[k] / counts[k] : Number.NaN;
  return { start, stepMs, values };
}

/** A copy with the buckets that overlap any window set to NaN. */
export function maskWindows(grid: Grid, windows: readonly { from: number; to: number }[]): Grid {
  const values = Float64Array.from(grid.values);
  for (const w of windows) {
    const from = Math.max(0, Math.floor((w.from - grid.start) / grid.stepMs));
    const to = Math.min(values.length, Math.ceil((w.to - grid.start) / grid.stepMs));
    for (let i = from; i < to; i++) values[i] = Number.NaN;
  }
  return { start: grid.start, stepMs: grid.stepMs, values };
}

/** Slot of grid index `i` within a period (hour-of-week when period is a week). Epoch day 0 was a Thursday; slots count from Monday 00:00 UTC. */
export function slotOf(grid: Grid, i: number, periodMs: number): number {
  const mondayOffset = 4 * dayMs; // 1970-01-05 was a Monday
  const t = grid.start + i * grid.stepMs + mondayOffset;
  return Math.floor((((t % periodMs) + periodMs) % periodMs) / grid.stepMs);
}

/** Median of the finite values in `values` (copied; the input is not reordered). Quickselect: linear, no sort. */
export function median(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  if (count === 0) return Number.NaN;
  const a = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) a[k++] = values[i];
  const mid = count >> 1;
  const upper = select(a, mid);
  if (count % 2) return upper;
  // After selecting `mid`, everything before it is ≤ it: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** The k-th smallest (0-based) of `a`, partially reordering it (Hoare's quickselect, middle pivot). */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i] = a[j];
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k];
  }
  return a[k];
}
