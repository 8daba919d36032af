/**
 * `npm run eval -- --forecast-level-shift`: candidates for the forecast goal (docs/recommendations.md,
 * issue 20), on the same rolling origins as the engine's figure. `level`: per slot, the median of the
 * last `weeks` weeks (1 = seasonal-naive's profile), times a level factor: the median, over the
 * last `window` observed steps, of actual / the same median profile at those steps, shrunk towards
 * 1 as factor^power (power 0: no level). With `naive`, the mean of that and seasonal-naive. The
 * parameters are chosen per origin by backtests on the four weeks before it (same refresh, MAPE),
 * never on the scored week. Each is scored with the week forecast whole (what a weekly schedule
 * can use) and re-forecast every day, hour and half hour from what was observed by then.
 */
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { dayMs, median } from '../../src/recommend/grid.ts';
import { mape, seasonalNaive } from '../../src/recommend/forecast.ts';
import { refreshed, rollingOriginForecast, type ForecastFn, type ForecastSummary } from './forecast.ts';
import type { Trace } from './traces.ts';

export type LevelParams = { weeks: number; power: number; window: number; naive: boolean };

export const levelGrid: LevelParams[] = [1, 2, 3, 4, 6].flatMap((weeks) =>
  [false, true].flatMap((naive) => [{ weeks, power: 0, window: 1, naive }, ...[0.5, 1].flatMap((power) => [1, 2, 4, 8].map((window) => ({ weeks, power, window, naive })))]),
);

/** The slot median over the `weeks` weeks before index i (i may lie in or after the training data). */
function slotMedian(train: Float64Array, i: number, period: number, weeks: number, column: Float64Array): number {
  for (let c = 0; c < weeks; c++) {
    const j = i - period * (c + 1 + Math.max(0, Math.floor((i - train.length) / period)));
    column[c] = j >= 0 && j < train.length ? train[j] : Number.NaN;
  }
  return median(column.subarray(0, weeks));
}

export function levelForecast(train: Float64Array, period: number, horizon: number, p: LevelParams): Float64Array {
  const n = train.length;
  const column = new Float64Array(p.weeks);
  let level = 1;
  if (p.power > 0) {
    const ratios = new Float64Array(p.window);
    for (let k = 0; k < p.window; k++) {
      const i = n - p.window + k;
      const base = slotMedian(train, i, period, p.weeks, column);
      ratios[k] = i >= 0 && base > 0 && Number.isFinite(train[i]) ? train[i] / base : Number.NaN;
    }
    const ratio = median(ratios);
    if (ratio > 0) level = ratio ** p.power;
    else if (ratio === 0) level = 0;
  }
  const naive = p.naive ? seasonalNaive(train, period, horizon) : undefined;
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const f = slotMedian(train, n + h, period, p.weeks, column) * level;
    out[h] = naive ? (Number.isFinite(f) && Number.isFinite(naive[h]) ? (f + naive[h]) / 2 : Number.isFinite(f) ? f : naive[h]) : f;
  }
  return out;
}

export function describe(p: LevelParams): string {
  return `median ${p.weeks}w${p.power > 0 ? ` level^${p.power} over ${p.window}` : ''}${p.naive ? ' + naive' : ''}`;
}

/** Chosen per origin by the mean MAPE of the four weeks before it, forecast with the same refresh. */
export function chosenLevelForecast(refresh: number, grid: LevelParams[] = levelGrid, backtests = 4): ForecastFn {
  const chosen = new Map<number, LevelParams>();
  return (train, _start, _step, period, horizon, origin) => {
    let p = chosen.get(origin);
    if (!p) {
      const before = train.subarray(0, origin);
      let best = { p: grid[0], score: Number.POSITIVE_INFINITY };
      for (const candidate of grid) {
        let sum = 0;
        let runs = 0;
        for (let j = 1; j <= backtests; j++) {
          const o = origin - j * period;
          if (o < candidate.weeks * period + candidate.window) break;
          const f = refreshed(before, o, period, refresh, (t, hz) => ({ forecast: levelForecast(t, period, hz, candidate), model: '' })).forecast;
          const m = mape(before.subarray(o, o + period), f);
          if (m.points > 0) { sum += m.value; runs++; }
        }
        const score = runs > 0 ? sum / runs : Number.POSITIVE_INFINITY;
        if (score < best.score) best = { p: candidate, score };
      }
      p = best.p;
      chosen.set(origin, p);
    }
    return { forecast: levelForecast(train, period, horizon, p), model: describe(p) };
  };
}

/** The candidates' summaries: name, refresh in steps, summary. */
export function levelShiftSweep(trace: Trace, stepsPerDay: number): { name: string; refresh: number; summary: ForecastSummary }[] {
  const rows: { name: string; refresh: number; summary: ForecastSummary }[] = [];
  const fixed: [string, LevelParams][] = [
    ['median 4w (no level)', { weeks: 4, power: 0, window: 1, naive: false }],
    ['median 4w + naive', { weeks: 4, power: 0, window: 1, naive: true }],
    ['median 4w level^1 over 2', { weeks: 4, power: 1, window: 2, naive: false }],
    ['median 4w level^0.5 over 4 + naive', { weeks: 4, power: 0.5, window: 4, naive: true }],
  ];
  for (const refresh of [7 * stepsPerDay, stepsPerDay, stepsPerDay / 24, 1]) {
    const week = 7 * stepsPerDay;
    const run = (fn: ForecastFn) => rollingOriginForecast(trace, fn, Math.min(refresh, week));
    for (const [name, p] of fixed) {
      const s = run((train, _a, _b, period, horizon) => ({ forecast: levelForecast(train, period, horizon, p), model: name }));
      if (s) rows.push({ name, refresh, summary: s });
    }
    const s = run(chosenLevelForecast(refresh));
    if (s) rows.push({ name: 'chosen by backtests', refresh, summary: s });
  }
  return rows;
}

/** `--forecast-level-shift`: the table, overall (the headline) and with the worst seasonal-naive week apart. */
export function printLevelShiftSweep(trace: Trace): void {
  const stepsPerDay = Math.round(dayMs / cleanSeries(trace.samples).stepMs);
  const rows = levelShiftSweep(trace, stepsPerDay);
  const worst = rows[0]?.summary.perWeek.reduce((a, b) => (b.mape[1] > a.mape[1] ? b : a));
  if (!worst) return;
  const refreshName = (r: number) => (r >= 7 * stepsPerDay ? 'week' : r === stepsPerDay ? 'day' : r === stepsPerDay / 24 ? 'hour' : `${r} step`);
  console.log(`\nForecast level-shift candidates on ${trace.name} (improvement over seasonal-naive; worst naive week ${new Date(worst.origin).toISOString().slice(0, 10)} apart; refresh = how often the week is re-forecast from what was observed)`);
  console.log(`  ${'candidate'.padEnd(36)} ${'refresh'.padEnd(7)} ${'MAPE all (model/naive)'.padStart(24)} ${'impr.'.padStart(7)} ${'sMAPE impr.'.padStart(11)} ${'MASE (model/naive)'.padStart(19)} ${'that week MAPE'.padStart(18)} ${'other weeks MAPE'.padStart(20)} ${'impr.'.padStart(7)}`);
  for (const { name, refresh, summary: s } of rows) {
    const w = s.perWeek.find((x) => x.origin === worst.origin)!;
    const total = s.perWeek.reduce((sum, x) => sum + x.points, 0);
    const rest = [0, 1].map((k) => (s.mape[k] * total - w.mape[k] * w.points) / (total - w.points));
    console.log(`  ${name.padEnd(36)} ${refreshName(refresh).padEnd(7)} ${`${s.mape[0].toFixed(2)} / ${s.mape[1].toFixed(2)} %`.padStart(24)} ${pct(s.improvement.mape).padStart(7)} ${pct(s.improvement.smape).padStart(11)} ${`${s.mase[0].toFixed(2)} / ${s.mase[1].toFixed(2)}`.padStart(19)} ${`${w.mape[0].toFixed(0)} / ${w.mape[1].toFixed(0)} %`.padStart(18)} ${`${rest[0].toFixed(2)} / ${rest[1].toFixed(2)} %`.padStart(20)} ${pct(1 - rest[0] / rest[1]).padStart(7)}`);
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
