/**
 * How much a service's level moves by itself: its own history before the deploy replayed as if a
 * deploy had happened at many earlier points. At each such point the level change is the log of
 * the ratio of the median after it (as many samples as the watch has seen so far) to the median of
 * the baseline before it; the spread of those changes (1.4826 × their MAD, a standard deviation
 * that one past incident cannot inflate) is the scale the real change is measured in. A metric
 * whose 12-sample median wanders ±30 % on a quiet day must not be rolled back for +30 %; one that
 * never moves more than 2 % is caught at +20 %. MAD and medians come from simple-statistics.
 */
import { medianAbsoluteDeviation, medianSorted } from 'simple-statistics';
import { countBelow } from './count-below.ts';

/** A metric's samples before the deploy, oldest first (times in epoch ms). */
export type History = { times: ArrayLike<number>; values: ArrayLike<number> };

/** The log-ratio of two levels, with zero levels (a metric that is mostly 0) compared as equal. */
export function logRatio(after: number, before: number): number {
  if (!(after > 0) && !(before > 0)) return 0;
  if (!(before > 0)) return Infinity;
  if (!(after > 0)) return -Infinity;
  return Math.log(after / before);
}

/** Fewer past points than this: no scale (the verdict falls back on the rank test alone). */
export const minHistoryPoints = 8;

/**
 * The scale of the level's log-change over `afterSamples` samples against a `beforeMs` baseline,
 * from pseudo-deploys every `stepMs` in the history (ending `afterSamples` samples before its end).
 * Undefined when the history holds fewer than `minHistoryPoints` such points.
 */
export function historyScale(history: History, input: { beforeMs: number; afterSamples: number; stepMs: number }): number | undefined {
  const { times, values } = history;
  const n = times.length;
  if (n === 0 || input.afterSamples < 1) return undefined;
  const changes: number[] = [];
  // Pseudo-deploy at index i: the `afterSamples` samples from i on, against the baseline before times[i].
  let lastAt = Infinity;
  for (let i = n - input.afterSamples; i > 0; i--) {
    const at = times[i]!;
    if (lastAt - at < input.stepMs) continue;
    if (at - input.beforeMs < times[0]!) break;
    lastAt = at;
    const lo = countBelow(times, at - input.beforeMs);
    if (i - lo < 2) continue;
    const change = logRatio(medianOf(values, i, i + input.afterSamples), medianOf(values, lo, i));
    if (Number.isFinite(change)) changes.push(change);
  }
  if (changes.length < minHistoryPoints) return undefined;
  return 1.4826 * medianAbsoluteDeviation(changes);
}

function medianOf(values: ArrayLike<number>, from: number, to: number): number {
  return medianSorted(Array.from({ length: to - from }, (_, k) => values[from + k]!).sort((a, b) => a - b));
}
