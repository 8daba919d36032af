/**
 * A per-series alarm threshold calibrated to a rate of false alarms per day, by extreme-value
 * theory (peaks over threshold): one global z cut-off does not carry over to series whose
 * residuals have heavier or lighter tails than the ones it was tuned on.
 *
 * 1. Exceedances of a base level u (a high quantile of the scores) are grouped into clusters the
 *    way alarms are (exceedances closer than the merge gap belong together), and each cluster is
 *    scored by its `minPoints`-th largest score: a cluster raises an alarm at threshold τ exactly
 *    when that many of its points exceed τ. Clusters per day above u: λ.
 * 2. The excesses of the cluster scores over u follow a generalised Pareto distribution
 *    (Pickands–Balkema–de Haan), fitted by probability-weighted moments (Hosking and Wallis 1987:
 *    closed form, stable with a few dozen clusters).
 * 3. τ is the level exceeded by clusters at the target rate ρ per day (the 1/ρ-day return level):
 *    τ = u + σ/ξ ((λ/ρ)^ξ − 1), or u + σ ln(λ/ρ) when ξ = 0.
 *
 * The history includes the incidents themselves, which fatten the tail and raise τ: the rate is
 * held from above. The tail shape is kept within [0, 0.5]: an exponential tail at the lightest (a
 * bounded tail fitted on a few clusters is more often noise than a true bound), and no heavier
 * than the PWM estimator handles. The threshold is never below `minThreshold` (3.5, Iglewicz and
 * Hoaglin's outlier cut-off), so a series with almost no noise does not alarm on rounding.
 * Coles, An Introduction to Statistical Modeling of Extreme Values (2001), ch. 4 and 5.
 */
import { quantile } from 'simple-statistics';

export type ThresholdOptions = {
  /** False alarms per day to calibrate to. */
  perDay: number;
  /** Grid step of the scores (ms). */
  stepMs: number;
  /** Exceedances closer than this are one alarm (ms). */
  mergeGapMs: number;
  /** An alarm needs this many points above the threshold. */
  minPoints: number;
  /** u is this quantile of the scores (lowered when too few clusters are above it to fit a tail). */
  baseQuantile: number;
  minThreshold: number;
};

export type Calibration = {
  threshold: number;
  /** The base level u, its clusters and their rate per day. */
  base: number;
  clusters: number;
  clustersPerDay: number;
  /** Fitted tail: shape ξ (after clamping) and scale σ; absent when too few clusters to fit. */
  shape?: number;
  scale?: number;
  /** How the threshold was set: the fitted return level, the base (already within the rate), or the floor. */
  method: 'return-level' | 'base' | 'floor';
};

/** Fewest clusters a tail is fitted on. */
const minClusters = 10;

export function calibrateThreshold(scores: Float64Array, options: ThresholdOptions): Calibration {
  const finite: number[] = [];
  for (const s of scores) if (Number.isFinite(s)) finite.push(s);
  const days = (finite.length * options.stepMs) / 86_400_000;
  if (finite.length < 12 || days <= 0) return { threshold: Infinity, base: Infinity, clusters: 0, clustersPerDay: 0, method: 'floor' };
  // Lower u until enough clusters stand above it to fit a tail (a quiet series may have few).
  let base = 0;
  let peaks: number[] = [];
  for (const q of [options.baseQuantile, 0.95, 0.9]) {
    if (q > options.baseQuantile) continue;
    base = quantile(finite, q);
    peaks = clusterPeaks(scores, base, options);
    if (peaks.length >= minClusters) break;
  }
  const clustersPerDay = peaks.length / days;
  const floor = (threshold: number, method: Calibration['method'], fit?: { shape: number; scale: number }): Calibration => {
    const out: Calibration = { threshold, base, clusters: peaks.length, clustersPerDay, method, ...(fit ?? {}) };
    if (!(threshold >= options.minThreshold)) return { ...out, threshold: options.minThreshold, method: 'floor' };
    return out;
  };
  if (clustersPerDay <= options.perDay) return floor(base, 'base');
  if (peaks.length < 3) return floor(Math.max(base, ...peaks), 'base');
  const fit = fitGeneralisedPareto(peaks.map((p) => p - base));
  const shape = Math.min(0.5, Math.max(0, fit.shape));
  const ratio = clustersPerDay / options.perDay;
  const level = shape < 1e-6 ? base + fit.scale * Math.log(ratio) : base + (fit.scale / shape) * (ratio ** shape - 1);
  return floor(level, 'return-level', { shape, scale: fit.scale });
}

/**
 * Scores of the clusters of exceedances of `base`: the `minPoints`-th largest score in each
 * cluster (clusters with fewer points above `base` can never alarm, and are not counted).
 */
export function clusterPeaks(scores: Float64Array, base: number, options: Pick<ThresholdOptions, 'stepMs' | 'mergeGapMs' | 'minPoints'>): number[] {
  const gap = Math.floor(options.mergeGapMs / options.stepMs);
  const peaks: number[] = [];
  let cluster: number[] = [];
  let lastIndex = -Infinity;
  const flush = () => {
    if (cluster.length >= options.minPoints) {
      cluster.sort((a, b) => b - a);
      peaks.push(cluster[options.minPoints - 1]);
    }
    cluster = [];
  };
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s > base)) continue;
    if (i - lastIndex - 1 > gap) flush();
    cluster.push(s);
    lastIndex = i;
  }
  flush();
  return peaks;
}

/**
 * Generalised Pareto fit to excesses (> 0) by probability-weighted moments (Hosking and Wallis
 * 1987, in the ξ = −k parametrisation): with a0 the mean and a1 = mean of x_(i) (n − i)/(n − 1)
 * over the ascending order statistics, σ = 2 a0 a1 / (a0 − 2 a1) and ξ = 2 − a0 / (a0 − 2 a1).
 * simple-statistics has no extreme-value fit; this is the textbook closed form.
 */
export function fitGeneralisedPareto(excesses: readonly number[]): { shape: number; scale: number } {
  const x = [...excesses].sort((a, b) => a - b);
  const n = x.length;
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += x[i];
    a1 += (x[i] * (n - 1 - i)) / (n - 1);
  }
  a0 /= n;
  a1 /= n;
  const d = a0 - 2 * a1;
  if (!(d > 0) || !(a0 > 0)) return { shape: 0, scale: Math.max(a0, 1e-9) }; // degenerate: exponential with the mean excess
  return { shape: 2 - a0 / d, scale: (2 * a0 * a1) / d };
}
