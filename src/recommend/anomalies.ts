/**
 * Incidents: points far from what the season and the day's level predict. The baseline at a point
 * is the median of its slot (hour of day or hour of week, when the series is seasonal) plus the
 * median of the day's residuals (the level). Residuals are scored with the robust z-score
 * 0.6745 (r − median) / MAD (Iglewicz and Hoaglin), which one incident cannot inflate the way it
 * inflates a standard deviation. The cut-off is the series' own: calibrated on its history to a
 * rate of false alarms per day (calibrate-threshold.ts). At least `minPoints` points above it,
 * closer than `mergeGapMs`, form one window.
 */
import { median as ssMedian } from 'simple-statistics';
import { calibrateThreshold, type Calibration } from './calibrate-threshold.ts';
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
 * `falseAlarmsPerDay` is a setting (what a team will tolerate), not fitted. An incident flaps, and
 * one incident should be one alarm: flags within `mergeGapMs` are one window, and a window needs
 * `minPoints` flagged 5-minute points; these and the base quantile of the tail fit were chosen by
 * leave-one-trace-out cross-validation on the NAB traces (docs/recommendations.md).
 */
export const defaultAnomalyOptions = { falseAlarmsPerDay: 0.1, minPoints: 2, mergeGapMs: 3_600_000, baseQuantile: 0.98, minThreshold: 3.5 };

export type AnomalyOptions = {
  /** Grid step (default 5 minutes, or the data's own step when coarser). */
  stepMs?: number;
  /**
   * The seasonal baseline: `day` (hour of day), `week` (hour of week: wants three weeks of data),
   * `day-type` (hour of day, weekdays apart from weekends: a weekly pattern with less history), `none`.
   */
  season?: Season;
  /** False alarms per day the threshold is calibrated to (default 0.1). */
  falseAlarmsPerDay?: number;
  /** A fixed |z| cut-off instead of the calibrated one. */
  threshold?: number;
  mergeGapMs?: number;
  /** Windows with fewer flagged points are dropped as noise (default 2). */
  minPoints?: number;
  /** Quantile of the scores above which the tail is fitted (default 0.98). */
  baseQuantile?: number;
  /** The calibrated threshold is never below this |z| (default 3.5). */
  minThreshold?: number;
};

export type AnomalyScan = { windows: AnomalyWindow[]; calibration?: Calibration };

export function detectAnomalies(samples: readonly Sample[], options: AnomalyOptions = {}): AnomalyWindow[] {
  const grid = toGrid(samples, options.stepMs ?? 300_000);
  return anomaliesOfGrid(grid, options);
}

export function anomaliesOfGrid(grid: Grid, options: AnomalyOptions = {}): AnomalyWindow[] {
  return scanAnomalies(grid, options).windows;
}

/** The windows and how the threshold was calibrated. */
export function scanAnomalies(grid: Grid, options: AnomalyOptions = {}): AnomalyScan {
  const mergeGapMs = options.mergeGapMs ?? defaultAnomalyOptions.mergeGapMs;
  const minPoints = options.minPoints ?? defaultAnomalyOptions.minPoints;
  const { values, stepMs } = grid;
  const n = values.length;
  if (n < 12) return { windows: [] };

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
  let threshold = options.threshold;
  let calibration: Calibration | undefined;
  if (threshold === undefined) {
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = Math.abs(z[i]);
    calibration = calibrateThreshold(scores, {
      perDay: options.falseAlarmsPerDay ?? defaultAnomalyOptions.falseAlarmsPerDay,
      stepMs,
      mergeGapMs,
      minPoints,
      baseQuantile: options.baseQuantile ?? defaultAnomalyOptions.baseQuantile,
      minThreshold: options.minThreshold ?? defaultAnomalyOptions.minThreshold,
    });
    threshold = calibration.threshold;
  }

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
  return { windows, ...(calibration ? { calibration } : {}) };
}

/**
 * Median of the finite values in each slot (0 for an empty slot): grouped by a counting sort into
 * one buffer and sorted in place, no per-slot arrays (168 or 2,016 slots of a few values each:
 * one median call per slot would allocate thousands of small arrays).
 */
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

/**
 * 0.6745 (x − median) / MAD (simple-statistics' median, of the finite values and of their
 * absolute deviations), the MAD at least `minMad`; when it is 0 (a flat series), the mean absolute
 * deviation × 1.2533 stands in.
 */
export function robustZ(values: Float64Array, minMad = 0): Float64Array {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  const out = new Float64Array(values.length);
  if (finite.length === 0) return out.fill(Number.NaN);
  const med = ssMedian(finite);
  // The median absolute deviation, as simple-statistics' medianAbsoluteDeviation computes it,
  // without taking the median a second time.
  const deviations = finite.map((x) => Math.abs(x - med));
  const mad = Math.max(ssMedian(deviations), minMad);
  if (mad > 0) {
    for (let i = 0; i < values.length; i++) out[i] = (0.6745 * (values[i] - med)) / mad;
  } else {
    let sumAbs = 0;
    for (const d of deviations) sumAbs += d;
    const meanAd = sumAbs / finite.length;
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
