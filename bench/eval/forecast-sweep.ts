/**
 * `npm run eval -- --forecast-sweep`: alternative week-ahead (and, for reference, day-ahead)
 * models on every week of nyc_taxi, kept to show how the schedule model was chosen
 * (docs/recommendations.md).
 */
import { anomaliesOfGrid } from '../../src/recommend/anomalies.ts';
import { chooseSeasonalModel } from '../../src/recommend/choose-seasonal-model.ts';
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { blendForecast, forecastWith, mape, profileForecast, seasonalNaive, smape } from '../../src/recommend/forecast.ts';
import { toGrid, weekMs } from '../../src/recommend/grid.ts';
import { parseTimestamp } from '../../src/recommend/sources/parse-timestamp.ts';
import type { Sample } from '../../src/recommend/types.ts';

/**
 * `--forecast-sweep`: alternative models, each scored on every earlier week with eight weeks of
 * history before it (rolling origins), on the validation week (the week before the held-back one,
 * trained on what precedes it) and on the held-back week. A candidate is chosen by its validation
 * score, or by its mean over the earlier weeks; never by the held-back week. `ew a c`: exponentially weighted mean of the same slot over the last
 * c weeks (weight a(1−a)^k for k weeks back; a = 1 is seasonal-naive). `median c lp`: the engine's
 * profile with c weeks and level power lp. `day-ahead ew a lp`: each day forecast at its own start
 * by `ew a 6` × (last day's actual / last day's ew backcast)^lp: a one-day horizon, scored against
 * seasonal-naive on the same points (seasonal-naive is the same at one-day and one-week horizons).
 */
export function forecastSweep(samples: Sample[], windows: [string, string][]): void {
  const step = cleanSeries(samples).stepMs;
  const grid = toGrid(samples, step);
  const period = Math.round(weekMs / step);
  const day = period / 7;
  const n = grid.values.length;
  const labelled = windows.map(([a, b]) => ({ from: parseTimestamp(a)!, to: parseTimestamp(b)! }));
  const maskedCache = new Map<number, Float64Array>(); // read-only: no candidate writes to its training data
  const masked = (end: number) => {
    const cached = maskedCache.get(end);
    if (cached) return cached;
    const train = grid.values.slice(0, end);
    const found = anomaliesOfGrid({ start: grid.start, stepMs: step, values: train }, { season: 'week' });
    for (let i = 0; i < end; i++) if (found.some((w) => grid.start + i * step >= w.from && grid.start + i * step < w.to)) train[i] = Number.NaN;
    maskedCache.set(end, train);
    return train;
  };
  const ew = (train: Float64Array, a: number, cycles: number) => {
    const out = new Float64Array(period);
    for (let k = 0; k < period; k++) {
      let sum = 0;
      let weight = 0;
      for (let c = 0; c < cycles; c++) {
        const i = train.length - period * (c + 1) + k;
        if (i >= 0 && Number.isFinite(train[i])) { sum += a * (1 - a) ** c * train[i]; weight += a * (1 - a) ** c; }
      }
      out[k] = weight > 0 ? sum / weight : Number.NaN;
    }
    return out;
  };
  const dayAhead = (start: number, a: number, lp: number) => {
    const out = new Float64Array(period);
    for (let d = 0; d < 7; d++) {
      const end = start + d * day;
      const train = masked(end);
      const profile = ew(train, a, 6);
      const back = ew(train.subarray(0, end - day), a, 6);
      let recent = 0;
      let base = 0;
      for (let j = 0; j < day; j++) if (Number.isFinite(train[end - day + j]) && Number.isFinite(back[j])) { recent += train[end - day + j]; base += back[j]; }
      const level = recent > 0 && base > 0 ? (recent / base) ** lp : 1;
      for (let k = 0; k < day; k++) out[d * day + k] = profile[k] * level;
    }
    return out;
  };
  const candidates: [string, (end: number) => Float64Array][] = [
    ['engine (backtest choice)', (end) => { const train = masked(end); return forecastWith(chooseSeasonalModel(train, period, period).model, { start: grid.start, stepMs: step, values: train }, end, period, period); }],
    ['blend (median 4 0.5, naive)', (end) => blendForecast(masked(end), period, period)],
    ...[2, 3, 4].flatMap((c) => [0, 0.5].map((lp): [string, (end: number) => Float64Array] => [`median ${c} ${lp}`, (end) => profileForecast(masked(end), period, period, c, lp)])),
    ...[0.5, 0.7, 0.9].map((a): [string, (end: number) => Float64Array] => [`ew ${a} 6`, (end) => ew(masked(end), a, 6)]),
    ...[0.25, 0.5].flatMap((lp) => [0.5, 0.7].map((a): [string, (end: number) => Float64Array] => [`day-ahead ew ${a} ${lp}`, (end) => dayAhead(end, a, lp)])),
  ];
  const score = (end: number, forecast: Float64Array) => {
    const actual = grid.values.subarray(end, end + period);
    const naive = seasonalNaive(grid.values.subarray(0, end), period, period);
    const normal = (i: number) => !labelled.some((l) => grid.start + (end + i) * step >= l.from && grid.start + (end + i) * step < l.to);
    const gain = (f: typeof mape, mask?: (i: number) => boolean) => 1 - f(actual, forecast, mask).value / f(actual, naive, mask).value;
    return { outside: gain(mape, normal), all: gain(mape), smape: gain(smape) };
  };
  // Rolling origins: every earlier week with at least eight weeks of history before it.
  const earlier: number[] = [];
  for (let end = n - 3 * period; end >= 8 * period; end -= period) earlier.push(end);
  console.log('\nForecast sweep (improvement over seasonal-naive, MAPE outside labelled windows unless noted)');
  console.log(`  earlier weeks: mean improvement and weeks won over the ${earlier.length} weeks before the validation week, each forecast from its own start`);
  console.log(`  ${'candidate'.padEnd(28)} ${'earlier weeks'.padStart(14)} ${'valid. MAPE out'.padStart(16)} ${'test MAPE out'.padStart(14)} ${'test MAPE all'.padStart(14)} ${'test sMAPE'.padStart(11)}`);
  let best: { name: string; validation: number } | undefined;
  let bestEarlier: { name: string; mean: number } | undefined;
  for (const [name, forecast] of candidates) {
    const gains = earlier.map((end) => score(end, forecast(end)).outside);
    const mean = gains.reduce((sum, g) => sum + g, 0) / gains.length;
    const won = gains.filter((g) => g > 0).length;
    const validation = score(n - 2 * period, forecast(n - 2 * period));
    const test = score(n - period, forecast(n - period));
    // A day-ahead forecast is shown for reference only: a static weekly schedule cannot use it.
    const eligible = !name.startsWith('day-ahead');
    if (eligible && (!best || validation.outside > best.validation)) best = { name, validation: validation.outside };
    if (eligible && (!bestEarlier || mean > bestEarlier.mean)) bestEarlier = { name, mean };
    console.log(`  ${name.padEnd(28)} ${`${pct(mean)} ${won}/${gains.length}`.padStart(14)} ${pct(validation.outside).padStart(16)} ${pct(test.outside).padStart(14)} ${pct(test.all).padStart(14)} ${pct(test.smape).padStart(11)}`);
  }
  console.log(`  chosen (week-ahead candidates only) on the validation week: ${best?.name}; on the earlier weeks: ${bestEarlier?.name}`);
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}
