/**
 * The schedule models. `profile`: for each slot of the period (hour of day or hour of week), the
 * median of that slot over the last `cycles` periods of training data, scaled by a level factor
 * (the last period's mean over the profile's mean) so that growth carries forward. The median of
 * several periods shrugs off a one-off holiday or incident that seasonal-naive (the last period
 * repeated) copies into its forecast, but lags when the pattern drifts; `blend`, the mean of the
 * two, hedges between them. Which one a series gets is chosen by backtests (choose-seasonal-model.ts).
 */
import { dayMs, hourMs, median, type Grid } from './grid.ts';

/**
 * `profile`: the median of the same slot over the last cycles (hour of week needs three weeks of
 * history: two to train, one held back). `blend`: the mean of `profile` and seasonal-naive.
 * `naive`: seasonal-naive itself (what backtests pick when nothing beats it). `day-type`: for
 * shorter history with a weekly pattern, the median of the same hour over the last ten weekdays,
 * or the last four weekend days.
 */
export type ForecastModel = 'profile' | 'blend' | 'naive' | 'day-type';

export type ForecastEvaluation = {
  model: ForecastModel;
  periodHours: number;
  /** Held-back points compared (finite actual > 0 and finite forecasts). */
  points: number;
  modelMape: number;
  naiveMape: number;
  /** True when the model's MAPE is lower than seasonal-naive's. */
  beatsNaive: boolean;
  /** Rolling-origin backtests (before the held-back data) that chose the model, when it was chosen. */
  backtests?: number;
};

/** Forecast `horizon` grid steps after `train` (the training values end where the forecast starts). */
export function profileForecast(train: Float64Array, period: number, horizon: number, cycles = 4, levelPower = 0.5): Float64Array {
  const n = train.length;
  const usable = Math.max(1, Math.min(cycles, Math.floor(n / period)));
  const profile = new Float64Array(period);
  const column = new Float64Array(usable);
  for (let k = 0; k < period; k++) {
    // Slot k of the forecast is index n + k (mod period) in the training series' phase.
    for (let c = 0; c < usable; c++) {
      const i = n - period * (c + 1) + ((k % period) + period) % period;
      column[c] = i >= 0 && i < n ? train[i] : Number.NaN;
    }
    profile[k] = median(column);
  }
  // Level: how the most recent period compares with the profile, slot by slot; the median ratio,
  // so that a holiday or an outage in part of the last period does not drag the whole forecast.
  const ratios = new Float64Array(period);
  for (let k = 0; k < period; k++) {
    const v = train[n - period + k];
    ratios[k] = profile[k] > 0 && Number.isFinite(v) ? v / profile[k] : Number.NaN;
  }
  const ratio = median(ratios);
  const level = ratio > 0 ? Math.pow(ratio, levelPower) : 1; // damped: half the log-ratio by default
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) out[h] = profile[h % period] * level;
  return out;
}

/** The mean of `profileForecast` and seasonal-naive; where one is missing, the other. */
export function blendForecast(train: Float64Array, period: number, horizon: number, cycles = 4): Float64Array {
  return blendOf(profileForecast(train, period, horizon, cycles), seasonalNaive(train, period, horizon));
}

/** The mean of two forecasts of the same length; where one is missing, the other. */
export function blendOf(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let h = 0; h < a.length; h++) {
    const p = a[h];
    const q = b[h];
    out[h] = Number.isFinite(p) && Number.isFinite(q) ? (p + q) / 2 : Number.isFinite(p) ? p : q;
  }
  return out;
}

/** Hourly grids only: forecast `horizon` hours after the first `trainLength` values of `grid`. */
export function dayTypeForecast(grid: Grid, trainLength: number, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  const picked = new Float64Array(10);
  for (let h = 0; h < horizon; h++) {
    const index = trainLength + h;
    const weekend = isWeekend(grid.start + index * hourMs);
    const limit = weekend ? 4 : 10;
    let count = 0;
    for (let i = index - 24; i >= 0 && count < limit; i -= 24) {
      if (i >= trainLength || isWeekend(grid.start + i * hourMs) !== weekend) continue;
      if (Number.isFinite(grid.values[i])) picked[count++] = grid.values[i];
    }
    out[h] = count > 0 ? median(picked.subarray(0, count)) : Number.NaN;
  }
  return out;
}

function isWeekend(t: number): boolean {
  const day = (Math.floor(t / dayMs) + 4) % 7; // 1970-01-01 was a Thursday (4)
  return day === 0 || day === 6;
}

/** Seasonal-naive: the last training period repeated. */
export function seasonalNaive(train: Float64Array, period: number, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  const n = train.length;
  for (let h = 0; h < horizon; h++) out[h] = n - period + (h % period) >= 0 ? train[n - period + (h % period)] : Number.NaN;
  return out;
}

/** Mean absolute percentage error (%) over points with a finite positive actual and finite forecasts. */
export function mape(actual: ArrayLike<number>, forecast: ArrayLike<number>, mask?: (i: number) => boolean): { value: number; points: number } {
  let sum = 0;
  let points = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const f = forecast[i];
    if (!(a > 0) || !Number.isFinite(f) || (mask && !mask(i))) continue;
    sum += Math.abs(a - f) / a;
    points++;
  }
  return { value: points > 0 ? (100 * sum) / points : Number.NaN, points };
}

/**
 * Symmetric MAPE (%): mean of 2|a − f| / (|a| + |f|) over points with finite actual and forecast
 * (a point where both are 0 is left out). Bounded by 200 %, so a few near-zero actuals (an outage,
 * a blizzard) cannot dominate it the way they dominate MAPE.
 */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>, mask?: (i: number) => boolean): { value: number; points: number } {
  let sum = 0;
  let points = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const f = forecast[i];
    if (!Number.isFinite(a) || !Number.isFinite(f) || (mask && !mask(i))) continue;
    const denominator = Math.abs(a) + Math.abs(f);
    if (denominator === 0) continue;
    sum += (2 * Math.abs(a - f)) / denominator;
    points++;
  }
  return { value: points > 0 ? (100 * sum) / points : Number.NaN, points };
}

/** Hold back the last `holdout` steps of the grid, forecast them with both models, compare. */
export function evaluateForecast(grid: Grid, periodSteps: number, holdout: number, model: ForecastModel = 'profile', cycles = 4): ForecastEvaluation | undefined {
  const n = grid.values.length;
  // The profile and blend models need two periods to differ from naive; the day-type model one (of several days).
  if (n - holdout < (model === 'day-type' ? 1 : 2) * periodSteps) return undefined;
  const train = grid.values.subarray(0, n - holdout);
  const actual = grid.values.subarray(n - holdout);
  const forecast = forecastWith(model, grid, n - holdout, periodSteps, holdout, cycles);
  const naive = seasonalNaive(train, periodSteps, holdout);
  // Compare on the same points: both forecasts finite.
  const both = (i: number) => Number.isFinite(forecast[i]) && Number.isFinite(naive[i]);
  const m = mape(actual, forecast, both);
  const s = mape(actual, naive, both);
  if (m.points === 0) return undefined;
  const periodHours = (periodSteps * grid.stepMs) / 3_600_000;
  return { model, periodHours, points: m.points, modelMape: m.value, naiveMape: s.value, beatsNaive: m.value < s.value };
}

/** Forecast `horizon` steps after the first `trainLength` values of the grid. */
export function forecastWith(model: ForecastModel, grid: Grid, trainLength: number, periodSteps: number, horizon: number, cycles = 4): Float64Array {
  if (model === 'day-type') return dayTypeForecast(grid, trainLength, horizon);
  const train = grid.values.subarray(0, trainLength);
  if (model === 'naive') return seasonalNaive(train, periodSteps, horizon);
  return model === 'blend' ? blendForecast(train, periodSteps, horizon, cycles) : profileForecast(train, periodSteps, horizon, cycles);
}
