/**
 * Incidents: points far from what the season and the day's level predict. The baseline at a point
 * is the median of its slot (hour of day or hour of week, when the series is seasonal) plus the
 * median of the day's residuals (the level). Residuals are scored with the robust z-score
 * 0.6745 (r − median) / MAD (Iglewicz and Hoaglin), which one incident cannot inflate the way it
 * inflates a standard deviation. Flagged points closer than `mergeGapMs` form one window.
 */
import { dayMs, median, slotOf, toGrid, type Grid } from './grid.ts';
import type { Sample } from './types.ts';

export type AnomalyWindow = {
  from: number;
  to: number;
  /** Largest |robust z| in the window. */
  score: number;
  /** The value furthest from the baseline in the window. */
  peak: number;
  direction: 'high' | 'low';
};

export type Season = 'none' | 'day' | 'week' | 'day-type';

/**
 * |z| > 5, at least 3 flagged points (15 minutes on the 5-minute grid), flags within 2 hours
 * merged: an incident flaps, and one incident should be one alarm. Chosen on the NAB traces
 * (docs/recommendations.md shows the sweep); 3.5 (Iglewicz and Hoaglin's cut-off) with 30-minute
 * merging raised about 4 false alarms a day there.
 */
export const defaultAnomalyOptions = { threshold: 5, minPoints: 3, mergeGapMs: 2 * 3_600_000 };

export type AnomalyOptions = {
  /** Grid step (default 5 minutes, or the data's own step when coarser). */
  stepMs?: number;
  /**
   * The seasonal baseline: `day` (hour of day), `week` (hour of week: wants three weeks of data),
   * `day-type` (hour of day, weekdays apart from weekends: a weekly pattern with less history), `none`.
   */
  season?: Season;
  threshold?: number;
  mergeGapMs?: number;
  /** Windows with fewer flagged points are dropped as noise (default 3). */
  minPoints?: number;
};

export function detectAnomalies(samples: readonly Sample[], options: AnomalyOptions = {}): AnomalyWindow[] {
  const grid = toGrid(samples, options.stepMs ?? 300_000);
  return anomaliesOfGrid(grid, options);
}

export function anomaliesOfGrid(grid: Grid, options: AnomalyOptions = {}): AnomalyWindow[] {
  const threshold = options.threshold ?? defaultAnomalyOptions.threshold;
  const mergeGapMs = options.mergeGapMs ?? defaultAnomalyOptions.mergeGapMs;
  const minPoints = options.minPoints ?? defaultAnomalyOptions.minPoints;
  const { values, stepMs } = grid;
  const n = values.length;
  if (n < 12) return [];

  // Seasonal component: median per slot.
  const seasonal = new Float64Array(n);
  const season = options.season ?? 'none';
  if (season !== 'none') {
    const perDaySlots = Math.round(dayMs / stepMs);
    const slots = season === 'week' ? 7 * perDaySlots : season === 'day-type' ? 2 * perDaySlots : perDaySlots;
    const slot = (i: number) => {
      if (season === 'week') return slotOf(grid, i, 7 * dayMs);
      const ofDay = slotOf(grid, i, dayMs);
      if (season === 'day') return ofDay;
      const day = (Math.floor((grid.start + i * stepMs) / dayMs) + 4) % 7; // 1970-01-01 was a Thursday
      return (day === 0 || day === 6 ? perDaySlots : 0) + ofDay;
    };
    const slotIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) slotIndex[i] = slot(i);
    const profile = slotMedians(values, slotIndex, slots);
    for (let i = 0; i < n; i++) seasonal[i] = profile[slotIndex[i]];
  }
  // Level: median residual per day.
  const perDay = Math.max(1, Math.round(dayMs / stepMs));
  const residual = new Float64Array(n);
  for (let d = 0; d < n; d += perDay) {
    const end = Math.min(n, d + perDay);
    const chunk = new Float64Array(end - d);
    for (let i = d; i < end; i++) chunk[i - d] = values[i] - seasonal[i];
    const level = median(chunk);
    for (let i = d; i < end; i++) residual[i] = chunk[i - d] - (Number.isFinite(level) ? level : 0);
  }
  // Deviations under 1 % of the typical level are never incidents, however flat the series.
  const z = robustZ(residual, 0.01 * Math.abs(median(values)));

  const windows: AnomalyWindow[] = [];
  let current: (AnomalyWindow & { points: number }) | undefined;
  const flush = () => {
    if (current && current.points >= minPoints) {
      const { points: _points, ...window } = current;
      windows.push(window);
    }
    current = undefined;
  };
  for (let i = 0; i < n; i++) {
    if (!(Math.abs(z[i]) > threshold)) continue;
    const t = grid.start + i * stepMs;
    if (current && t - current.to > mergeGapMs) flush();
    const score = Math.abs(z[i]);
    if (!current) current = { from: t, to: t + stepMs, score, peak: values[i], direction: z[i] > 0 ? 'high' : 'low', points: 0 };
    current.points++;
    current.to = t + stepMs;
    if (score > current.score) {
      current.score = score;
      current.peak = values[i];
      current.direction = z[i] > 0 ? 'high' : 'low';
    }
  }
  flush();
  for (const w of windows) w.score = Math.round(w.score * 10) / 10;
  return windows;
}

/** Median of the finite values in each slot (0 for an empty slot): grouped by a counting sort into one buffer, no per-slot arrays. */
function slotMedians(values: Float64Array, slotIndex: Int32Array, slots: number): Float64Array {
  const offsets = new Int32Array(slots + 1);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) offsets[slotIndex[i] + 1]++;
  for (let k = 0; k < slots; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, slots);
  const grouped = new Float64Array(offsets[slots]);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) grouped[fill[slotIndex[i]]++] = values[i];
  const out = new Float64Array(slots);
  for (let k = 0; k < slots; k++) {
    const part = grouped.subarray(offsets[k], offsets[k + 1]).sort();
    const m = part.length >> 1;
    out[k] = part.length === 0 ? 0 : part.length % 2 ? part[m] : (part[m - 1] + part[m]) / 2;
  }
  return out;
}

/** 0.6745 (x − median) / MAD, the MAD at least `minMad`; when it is 0 (a flat series), the mean absolute deviation × 1.2533 stands in. */
export function robustZ(values: Float64Array, minMad = 0): Float64Array {
  const med = median(values);
  const deviations = new Float64Array(values.length);
  let sumAbs = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    deviations[i] = Math.abs(values[i] - med);
    if (Number.isFinite(deviations[i])) { sumAbs += deviations[i]; count++; }
  }
  const mad = Math.max(median(deviations), minMad);
  const out = new Float64Array(values.length);
  if (mad > 0) {
    for (let i = 0; i < values.length; i++) out[i] = (0.6745 * (values[i] - med)) / mad;
  } else {
    const meanAd = count > 0 ? sumAbs / count : 0;
    for (let i = 0; i < values.length; i++) out[i] = meanAd > 0 ? (values[i] - med) / (1.2533 * meanAd) : 0;
  }
  return out;
}

/** The samples outside every window (windows sorted by start, samples by time): one pass. */
export function outsideWindows<T extends { t: number }>(samples: readonly T[], windows: readonly AnomalyWindow[]): T[] {
  if (windows.length === 0) return samples as T[]; // nothing to drop: share, do not copy
  const out: T[] = [];
  let w = 0;
  for (const s of samples) {
    while (w < windows.length && windows[w].to <= s.t) w++;
    if (w < windows.length && s.t >= windows[w].from) continue;
    out.push(s);
  }
  return out;
}

/** True when time `t` falls inside one of the windows (widened by `padMs`). */
export function inWindows(windows: readonly AnomalyWindow[], t: number, padMs = 0): boolean {
  for (const w of windows) if (t >= w.from - padMs && t < w.to + padMs) return true;
  return false;
}
