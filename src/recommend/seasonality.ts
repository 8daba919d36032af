/**
 * Daily and weekly seasonality from the autocorrelation of hourly means at 24 h and 168 h lags.
 * A lag is only measured with at least 1.5 periods of history; below that it is `null`.
 */
import { hourMs, toGrid, type Grid } from './grid.ts';
import type { Sample } from './types.ts';

export type Seasonality = {
  daily: number | null;
  weekly: number | null;
  /** The period (hours) the data repeats on most strongly, when any is strong. */
  period: 24 | 168 | null;
};

/** Autocorrelation at or above this counts as a seasonal pattern. */
export const strongAutocorrelation = 0.4;

export function autocorrelation(values: Float64Array, lag: number): number {
  let sum = 0;
  let count = 0;
  for (const v of values) if (Number.isFinite(v)) { sum += v; count++; }
  if (count < 2 || lag >= values.length) return Number.NaN;
  const mean = sum / count;
  // Each sum is averaged over its own number of terms, so a lag that is a large share of the
  // series (168 h of 336) is not biased toward 0 the way the textbook estimator is.
  let numerator = 0;
  let pairs = 0;
  let denominator = 0;
  for (let i = 0; i < values.length; i++) {
    const a = values[i] - mean;
    if (Number.isFinite(a)) denominator += a * a;
    if (i + lag < values.length) {
      const b = values[i + lag] - mean;
      if (Number.isFinite(a) && Number.isFinite(b)) { numerator += a * b; pairs++; }
    }
  }
  return denominator > 0 && pairs > 0 ? numerator / pairs / (denominator / count) : 0;
}

export function detectSeasonality(samples: readonly Sample[]): Seasonality {
  return seasonalityOfGrid(toGrid(samples, hourMs));
}

export function seasonalityOfGrid(hourly: Grid): Seasonality {
  const hours = hourly.values.length;
  const daily = hours >= 36 ? round(autocorrelation(hourly.values, 24)) : null;
  const weekly = hours >= 252 ? round(autocorrelation(hourly.values, 168)) : null;
  let period: Seasonality['period'] = null;
  // A daily cycle also repeats at 168 h: weekly only when it explains clearly more (weekends differ).
  if (weekly !== null && weekly >= strongAutocorrelation && weekly >= (daily ?? 0) + 0.1) period = 168;
  else if (daily !== null && daily >= strongAutocorrelation) period = 24;
  else if (weekly !== null && weekly >= strongAutocorrelation) period = 168;
  return { daily, weekly, period };
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null;
}
