/**
 * Which seasonal model a series gets, chosen per series by rolling-origin backtests on its own
 * training data: each candidate forecasts `horizon` steps from each of the last `backtests`
 * origins (trained only on what precedes the origin), and the lowest mean MAPE wins. Nothing after
 * the end of `train` is read, so when `train` stops where a held-back period starts, the choice
 * never sees the held-back data.
 */
import { blendOf, mape, profileForecast, seasonalNaive, type ForecastModel } from './forecast.ts';

export type SeasonalModel = Extract<ForecastModel, 'blend' | 'profile' | 'naive'>;

/** In order of preference on a tie: seasonal-naive only when it is strictly better. */
export const seasonalModels: readonly SeasonalModel[] = ['blend', 'profile', 'naive'];

export type SeasonalChoice = {
  model: SeasonalModel;
  /** Backtests run (0 when the history is too short for any: then `blend`). */
  backtests: number;
  /** Each candidate's mean MAPE (%) over the backtests; NaN without backtests. */
  mape: Record<SeasonalModel, number>;
};

/** Four backtests: a month of weeks, enough to outvote one holiday week, recent enough to follow drift. */
export const defaultBacktests = 4;

export function chooseSeasonalModel(train: Float64Array, period: number, horizon = period, backtests = defaultBacktests): SeasonalChoice {
  const sums = { blend: 0, profile: 0, naive: 0 };
  let runs = 0;
  for (let j = 1; j <= backtests; j++) {
    const origin = train.length - j * horizon;
    // Below two periods of training the profile is seasonal-naive: nothing to tell apart.
    if (origin < 2 * period) break;
    const actual = train.subarray(origin, origin + horizon);
    const before = train.subarray(0, origin);
    const profile = profileForecast(before, period, horizon);
    const naive = seasonalNaive(before, period, horizon);
    const forecasts = seasonalModels.map((model) => (model === 'profile' ? profile : model === 'naive' ? naive : blendOf(profile, naive)));
    // Every candidate on the same points: those where all forecast.
    const all = (i: number) => forecasts.every((f) => Number.isFinite(f[i]));
    const scores = forecasts.map((f) => mape(actual, f, all));
    if (scores[0].points === 0) continue; // an origin followed only by masked data tells nothing
    seasonalModels.forEach((model, k) => { sums[model] += scores[k].value; });
    runs++;
  }
  const mean = (model: SeasonalModel) => (runs > 0 ? sums[model] / runs : Number.NaN);
  const scores = { blend: mean('blend'), profile: mean('profile'), naive: mean('naive') };
  let model: SeasonalModel = 'blend';
  if (runs > 0) for (const candidate of seasonalModels) if (scores[candidate] < scores[model]) model = candidate;
  return { model, backtests: runs, mape: scores };
}
