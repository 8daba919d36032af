/**
 * One metric of one service: are the samples after the deploy higher than the baseline's?
 *
 * A rank test (Mann–Whitney U, as Netflix's Kayenta judge uses): it asks how often a sample after
 * the deploy beats a sample before, so it needs no bell curve and one wild sample cannot swing it.
 * Shown-higher alone is not enough: with thousands of samples a 1 % rise is "significant", so the
 * median must also have risen by at least `minEffect`. And with too few samples on either side the
 * metric is inconclusive rather than passing. The medians, means and the normal distribution come
 * from simple-statistics; the U statistic's mean and variance (without a tie correction, which only
 * makes the test more cautious when values repeat) are textbook. U itself is simple-statistics'
 * rank sum (`wilcoxonRankSum`, average ranks for ties) less m(m+1)/2, counted by binary search in
 * the smaller sample (rank-sum-u.ts): the same number (a test checks it against wilcoxonRankSum),
 * but a week-long baseline of 10,080 samples took its object sort 5–10 ms per metric.
 */
import { binomialDistribution, errorFunction, mean, median } from 'simple-statistics';
import { logRatio } from './history-scale.ts';
import { rankSumU } from './rank-sum-u.ts';
import type { VerdictSettings } from './verdict-settings.ts';

export type MetricVerdict = 'pass' | 'inconclusive' | 'regression';

export type MetricEvidence = {
  service: string;
  metric: string;
  verdict: MetricVerdict;
  /** Why, in a sentence a product engineer follows. */
  reason: string;
  samples: { before: number; after: number };
  /** Medians of the (seasonally adjusted) baseline and of the samples after the deploy. */
  median?: { before: number; after: number };
  /** Means of the baseline and after. */
  mean?: { before: number; after: number };
  /** Relative rise of the median (or the mean, per the settings): 0.5 is 50 % higher. Infinity from 0. */
  effect?: number;
  effectOf?: 'median' | 'mean';
  /** How often a sample after beats one before (0.5: no difference; 1: every time). */
  superiority?: number;
  /** One-sided p-value of "after is higher" (the rank test). */
  p?: number;
  /**
   * One-sided p-value of "more samples after are above the baseline's median than chance" (a sign
   * test: samples equal to the median left out). Spikes in the baseline do not weaken it.
   */
  pAbove?: number;
  /** The factor the baseline was scaled by for the hour of day and day of week, when it was. */
  seasonalFactor?: number;
  /** How far the level moves by itself over as many samples (history-scale.ts), when the history had enough. */
  scale?: number;
  /** The level's log-change in units of `scale`: 3 is a change three times as large as the service's usual. */
  z?: number;
};

export type MetricInput = {
  service: string;
  metric: string;
  /** Baseline values (already seasonally adjusted by the caller, or raw). */
  before: ArrayLike<number>;
  after: ArrayLike<number>;
  seasonalFactor?: number;
  /** The service's own scale of level changes (history-scale.ts), when known. */
  scale?: number;
};

/** The smallest scale counted: a metric that never moved is still not judged in units of 0. */
export const minScale = 0.01;

export function judgeMetric(input: MetricInput, settings: VerdictSettings): MetricEvidence {
  const before = Array.from(input.before);
  const after = Array.from(input.after);
  const head = { service: input.service, metric: input.metric, samples: { before: before.length, after: after.length }, ...(input.seasonalFactor !== undefined ? { seasonalFactor: input.seasonalFactor } : {}) };
  if (after.length < settings.minSamples || before.length < settings.minSamples) {
    const short = after.length < settings.minSamples ? `${after.length} sample(s) after the deploy` : `${before.length} sample(s) before it`;
    return { ...head, verdict: 'inconclusive', reason: `${input.metric} of ${input.service}: only ${short}, at least ${settings.minSamples} needed on each side` };
  }
  const m = after.length;
  const n = before.length;
  const u = rankSumU(after, before);
  const sd = Math.sqrt((m * n * (m + n + 1)) / 12);
  const p = 1 - standardNormal((u - (m * n) / 2 - 0.5) / sd);
  const medians = { before: median(before), after: median(after) };
  const means = { before: mean(before), after: mean(after) };
  const on = settings.effectOf === 'mean' ? means : medians;
  const effect = on.before > 0 ? on.after / on.before - 1 : on.after > 0 ? Infinity : 0;
  const z = input.scale === undefined ? undefined : logRatio(on.after, on.before) / Math.max(minScale, input.scale);
  const scaled = input.scale === undefined || z === undefined ? {} : { scale: input.scale, z };
  const pAbove = signTest(after, medians.before);
  const evidence = { ...head, median: medians, mean: means, effect, effectOf: settings.effectOf, superiority: u / (m * n), p, pAbove, ...scaled };
  const shown = settings.test === 'sign' ? pAbove : p;
  const rise = Number.isFinite(effect) ? `${(effect * 100).toFixed(1)} %` : 'from 0';
  if (isRegression(evidence, settings)) {
    const usual = z === undefined ? '' : `, ${Number.isFinite(z) ? z.toFixed(1) : 'far'} × its usual movement`;
    return { ...evidence, verdict: 'regression', reason: `${input.metric} of ${input.service} rose ${rise} (${settings.effectOf} ${fmt(on.before)} → ${fmt(on.after)}${usual}, p = ${shown.toPrecision(2)}, ${m} samples after, ${n} before)` };
  }
  const why =
    shown > settings.alpha
      ? `not shown higher (p = ${shown.toPrecision(2)} > ${settings.alpha})`
      : effect < settings.minEffect
        ? `a rise of ${rise} is under the ${settings.minEffect * 100} % that counts`
        : `a rise of ${rise} is within how much it moves by itself (${z!.toFixed(1)} × its usual movement, ${settings.minZ} needed)`;
  return { ...evidence, verdict: 'pass', reason: `${input.metric} of ${input.service}: ${why}` };
}

/**
 * The rule: shown higher (p) by enough (effect), and — when the service's history gave a scale —
 * by more than it moves by itself (z).
 */
export function isRegression(evidence: { p: number; pAbove?: number; effect: number; z?: number }, settings: Pick<VerdictSettings, 'alpha' | 'minEffect' | 'minZ' | 'test'>): boolean {
  const p = settings.test === 'sign' ? (evidence.pAbove ?? 1) : evidence.p;
  return p <= settings.alpha && evidence.effect >= settings.minEffect && (settings.minZ <= 0 || evidence.z === undefined || evidence.z >= settings.minZ);
}

/** P(at least `above` of the samples off the median are above it | each is above with probability ½), from simple-statistics' binomial. */
function signTest(after: readonly number[], median: number): number {
  let above = 0;
  let off = 0;
  for (const v of after) {
    if (v > median) above++;
    if (v !== median) off++;
  }
  if (off === 0) return 1;
  const pmf = binomialDistribution(off, 0.5) ?? [];
  let tail = 0;
  for (let k = above; k <= off; k++) tail += pmf[k] ?? 0;
  return Math.min(1, tail);
}

/** Φ(z) from simple-statistics' error function (its normal table stops at |z| = 3.09, p = 0.001). */
function standardNormal(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
