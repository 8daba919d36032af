/**
 * Forecast, by rolling-origin cross-validation over weeks: from every week start with at least
 * `minTrainWeeks` of history before it, the schedule model exactly as the engine runs it (the
 * detector's anomalies left out of training, then the model its own backtests choose) forecasts
 * the whole next week (the horizon a schedule is built for), beside seasonal-naive (the last
 * week repeated), on the same points. Nothing after the origin is read by either.
 *
 * Scores per week and pooled over all weeks: MAPE (points with a positive actual), MAPE outside
 * the labelled windows, sMAPE, and MASE (mean absolute error over the in-sample mean absolute
 * error of the weekly seasonal-naive on the training data: Hyndman and Koehler 2006; below 1 is
 * better than seasonal-naive was in-sample). The improvement over seasonal-naive is
 * 1 − MAPE(model) / MAPE(naive) on the pooled points; the geometric mean of the weekly MAPE ratios
 * (less swayed by one week of near-zero actuals, such as the January 2015 blizzard) beside it.
 */
import { anomaliesOfGrid } from '../../src/recommend/anomalies.ts';
import { chooseSeasonalModel } from '../../src/recommend/choose-seasonal-model.ts';
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { forecastWith, seasonalNaive } from '../../src/recommend/forecast.ts';
import { toGrid, weekMs } from '../../src/recommend/grid.ts';
import type { Trace } from './traces.ts';

export const minTrainWeeks = 6;

export type WeekScore = { origin: number; model: string; points: number; mape: [number, number]; mapeOutside: [number, number]; smape: [number, number]; mase: [number, number] };
export type ForecastSummary = {
  trace: string;
  weeks: number;
  minTrainWeeks: number;
  /** [model, seasonal-naive] over every week's points pooled. */
  mape: [number, number];
  mapeOutside: [number, number];
  smape: [number, number];
  mase: [number, number];
  improvement: { mape: number; mapeOutside: number; smape: number; mase: number; geometricMeanMapeRatio: number };
  weeksWon: number;
  perWeek: WeekScore[];
};

/**
 * `train` ends where the forecast starts; `horizon` steps are asked for; `origin` is where the
 * scored week starts (train.length unless the week is re-forecast as it is observed: `refresh`).
 */
export type ForecastFn = (train: Float64Array, start: number, step: number, period: number, horizon: number, origin: number) => { forecast: Float64Array; model: string };

/** The engine's schedule model: anomalies masked, model chosen by backtests on the training data. */
export const engineForecast: ForecastFn = (values, start, step, period) => {
  const train = Float64Array.from(values);
  const found = anomaliesOfGrid({ start, stepMs: step, values: train }, { season: 'week' });
  for (const w of found) {
    const from = Math.max(0, Math.floor((w.from - start) / step));
    const to = Math.min(train.length, Math.ceil((w.to - start) / step));
    for (let i = from; i < to; i++) train[i] = Number.NaN;
  }
  const choice = chooseSeasonalModel(train, period, period);
  return { forecast: forecastWith(choice.model, { start, stepMs: step, values: train }, train.length, period, period), model: choice.model };
};

/**
 * `refresh`: re-forecast every so many steps within the week from everything observed before
 * (default: never, the week forecast whole from its start, as a weekly schedule is built).
 * Seasonal-naive and the MASE scale stay those of the origin: a weekly seasonal-naive forecast is
 * the same at any horizon up to a week.
 */
export function rollingOriginForecast(trace: Trace, forecastFn: ForecastFn = engineForecast, refresh?: number): ForecastSummary | undefined {
  const step = cleanSeries(trace.samples).stepMs;
  const grid = toGrid(trace.samples, step);
  const period = Math.round(weekMs / step);
  const n = grid.values.length;
  const labels = trace.labels ?? [];
  const origins: number[] = [];
  for (let end = n - period; end >= minTrainWeeks * period; end -= period) origins.unshift(end);
  if (origins.length === 0) return undefined;
  const pooled = { mape: [0, 0, 0], out: [0, 0, 0], smape: [0, 0, 0], mase: [0, 0, 0] };
  const perWeek: WeekScore[] = [];
  for (const end of origins) {
    const history = grid.values.subarray(0, end);
    const actual = grid.values.subarray(end, end + period);
    const { forecast, model } = refreshed(grid.values, end, period, refresh ?? period, (train, horizon) => forecastFn(train, grid.start, step, period, horizon, end));
    const naive = seasonalNaive(history, period, period);
    const scale = naiveInSampleMae(history, period);
    const week = { mape: [0, 0, 0], out: [0, 0, 0], smape: [0, 0, 0], mase: [0, 0, 0] };
    for (let i = 0; i < period; i++) {
      const a = actual[i];
      const f = forecast[i];
      const s = naive[i];
      if (!Number.isFinite(a) || !Number.isFinite(f) || !Number.isFinite(s)) continue;
      const t = grid.start + (end + i) * step;
      const inLabel = labels.some((l) => t >= l.from && t < l.to);
      for (const acc of [week, pooled]) {
        if (a > 0) {
          add(acc.mape, Math.abs(a - f) / a, Math.abs(a - s) / a);
          if (!inLabel) add(acc.out, Math.abs(a - f) / a, Math.abs(a - s) / a);
        }
        const sf = Math.abs(a) + Math.abs(f);
        const ss = Math.abs(a) + Math.abs(s);
        if (sf > 0 && ss > 0) add(acc.smape, (2 * Math.abs(a - f)) / sf, (2 * Math.abs(a - s)) / ss);
        if (scale > 0) add(acc.mase, Math.abs(a - f) / scale, Math.abs(a - s) / scale);
      }
    }
    perWeek.push({ origin: grid.start + end * step, model, points: week.mape[2], mape: pair(week.mape, 100), mapeOutside: pair(week.out, 100), smape: pair(week.smape, 100), mase: pair(week.mase, 1) });
  }
  const mape = pair(pooled.mape, 100);
  const mapeOutside = pair(pooled.out, 100);
  const smape = pair(pooled.smape, 100);
  const mase = pair(pooled.mase, 1);
  const ratios = perWeek.filter((w) => w.mape[0] > 0 && w.mape[1] > 0).map((w) => Math.log(w.mape[0] / w.mape[1]));
  return {
    trace: trace.name,
    weeks: perWeek.length,
    minTrainWeeks,
    mape,
    mapeOutside,
    smape,
    mase,
    improvement: {
      mape: 1 - mape[0] / mape[1],
      mapeOutside: 1 - mapeOutside[0] / mapeOutside[1],
      smape: 1 - smape[0] / smape[1],
      mase: 1 - mase[0] / mase[1],
      geometricMeanMapeRatio: Math.exp(ratios.reduce((s, r) => s + r, 0) / Math.max(1, ratios.length)),
    },
    weeksWon: perWeek.filter((w) => w.mape[0] < w.mape[1]).length,
    perWeek,
  };
}

/** The `period` steps from `origin`, forecast in chunks of `refresh` steps, each from everything before it. */
export function refreshed(values: Float64Array, origin: number, period: number, refresh: number, fn: (train: Float64Array, horizon: number) => { forecast: Float64Array; model: string }): { forecast: Float64Array; model: string } {
  const forecast = new Float64Array(period);
  let model = '';
  for (let at = 0; at < period; at += refresh) {
    const horizon = Math.min(refresh, period - at);
    const chunk = fn(values.subarray(0, origin + at), horizon);
    forecast.set(chunk.forecast.subarray(0, horizon), at);
    model ||= chunk.model;
  }
  return { forecast, model };
}

/** Mean absolute error of the weekly seasonal-naive within the training data (MASE's scale). */
function naiveInSampleMae(history: Float64Array, period: number): number {
  let sum = 0;
  let count = 0;
  for (let i = period; i < history.length; i++) {
    const d = history[i] - history[i - period];
    if (Number.isFinite(d)) { sum += Math.abs(d); count++; }
  }
  return count > 0 ? sum / count : 0;
}

function add(acc: number[], model: number, naive: number): void {
  acc[0] += model;
  acc[1] += naive;
  acc[2]++;
}

function pair(acc: number[], scale: number): [number, number] {
  return acc[2] > 0 ? [(scale * acc[0]) / acc[2], (scale * acc[1]) / acc[2]] : [Number.NaN, Number.NaN];
}
