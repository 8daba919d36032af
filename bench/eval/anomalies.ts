/**
 * Anomalies: the engine's detector (its threshold calibrated on each trace's own history to the
 * false-alarm rate asked for) and a plain rolling 3-sigma detector (trailing day, the same
 * 5-minute grid; 3-point windows, 2-hour merging) on every labelled trace. A labelled window is
 * found when an alarm overlaps it; an alarm overlapping no label is a false alarm.
 */
import { scanAnomalies, type AnomalyOptions, type AnomalyWindow, type Season } from '../../src/recommend/anomalies.ts';
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { toGrid, weekMs } from '../../src/recommend/grid.ts';
import { detectSeasonality } from '../../src/recommend/seasonality.ts';
import type { Trace, Window } from './traces.ts';

const fiveMinutes = 300_000;

export type DetectorScore = { found: number; falseAlarms: number; perDay: number };
export type AnomalyResult = { trace: string; labels: number; days: number; threshold: number; engine: DetectorScore; threeSigma: DetectorScore };

export type DetectorSettings = Omit<AnomalyOptions, 'season' | 'stepMs' | 'threshold'>;

export function compareDetectors(trace: Trace, settings: DetectorSettings): AnomalyResult {
  const { samples } = trace;
  const labels = trace.labels ?? [];
  const step = Math.max(fiveMinutes, cleanSeries(samples).stepMs);
  const grid = toGrid(samples, step);
  const seasonality = detectSeasonality(samples);
  const span = samples[samples.length - 1].t - samples[0].t;
  const season: Season = seasonality.period === 168 ? (span >= 3 * weekMs ? 'week' : 'day-type') : seasonality.period === 24 ? 'day' : 'none';
  const scan = scanAnomalies(grid, { ...settings, season });
  const sigma = threeSigma(grid.values, grid.start, step);
  const days = span / 86_400_000;
  return { trace: trace.name, labels: labels.length, days, threshold: scan.calibration?.threshold ?? Number.NaN, engine: score(scan.windows, labels, days), threeSigma: score(sigma, labels, days) };
}

/**
 * Plain rolling 3-sigma: mean and standard deviation of the trailing day; windows of at least 3
 * flagged points, flags within 2 hours merged (fixed, whatever the engine's settings, so the
 * baseline does not move with them).
 */
function threeSigma(values: Float64Array, start: number, step: number): AnomalyWindow[] {
  const minPoints = 3;
  const mergeGapMs = 2 * 3_600_000;
  const window = Math.round(86_400_000 / step);
  const flags: { t: number; v: number; z: number }[] = [];
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (count >= window / 2) {
      const mean = sum / count;
      const sd = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
      if (Number.isFinite(values[i]) && sd > 0 && Math.abs(values[i] - mean) > 3 * sd) flags.push({ t: start + i * step, v: values[i], z: (values[i] - mean) / sd });
    }
    if (Number.isFinite(values[i])) { sum += values[i]; sumSq += values[i] ** 2; count++; }
    const old = i - window;
    if (old >= 0 && Number.isFinite(values[old])) { sum -= values[old]; sumSq -= values[old] ** 2; count--; }
  }
  const out: AnomalyWindow[] = [];
  let current: (AnomalyWindow & { points: number }) | undefined;
  const flush = () => { if (current && current.points >= minPoints) { const { points: _p, ...w } = current; out.push(w); } current = undefined; };
  for (const f of flags) {
    if (current && f.t - current.to > mergeGapMs) flush();
    current ??= { from: f.t, to: f.t + step, score: Math.abs(f.z), peak: f.v, direction: f.z > 0 ? 'high' : 'low', points: 0 };
    current.points++;
    current.to = f.t + step;
  }
  flush();
  return out;
}

function score(alarms: AnomalyWindow[], labels: Window[], days: number): DetectorScore {
  const overlaps = (a: Window, b: Window) => a.from < b.to && b.from < a.to;
  const found = labels.filter((l) => alarms.some((a) => overlaps(a, l))).length;
  const falseAlarms = alarms.filter((a) => !labels.some((l) => overlaps(a, l))).length;
  return { found, falseAlarms, perDay: falseAlarms / days };
}

export function anomalyOverall(results: AnomalyResult[]) {
  const days = results.reduce((s, a) => s + a.days, 0);
  const sum = (f: (a: AnomalyResult) => number) => results.reduce((s, a) => s + f(a), 0);
  return {
    labels: sum((a) => a.labels),
    days,
    engine: { found: sum((a) => a.engine.found), falseAlarms: sum((a) => a.engine.falseAlarms), perDay: sum((a) => a.engine.falseAlarms) / days },
    threeSigma: { found: sum((a) => a.threeSigma.found), falseAlarms: sum((a) => a.threeSigma.falseAlarms), perDay: sum((a) => a.threeSigma.falseAlarms) / days },
  };
}
