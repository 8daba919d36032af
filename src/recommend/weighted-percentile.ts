/**
 * Recency-weighted percentiles, as the Kubernetes VPA recommender computes them: each sample
 * counts 2^(-age / halfLife), so with the default 24 h half-life yesterday weighs half of today
 * and a week ago weighs 1/128. Recent behaviour dominates; old peaks fade but never vanish.
 * Like the VPA, the weights go into a histogram (here 4,096 equal buckets from 0 to the maximum,
 * so the answer is within 1/4096 of the maximum) instead of sorting the samples: one pass, no sort.
 * https://github.com/kubernetes/autoscaler/blob/master/vertical-pod-autoscaler/pkg/recommender/model/aggregations_config.go
 */
import type { Sample } from './types.ts';

export const defaultHalfLifeMs = 24 * 3_600_000;
const buckets = 4096;

/** The q-quantile (0..1) of the values (≥ 0), each weighted by its recency relative to `now`; the bucket's upper edge. */
export function weightedPercentile(samples: readonly Sample[], q: number, now: number, halfLifeMs = defaultHalfLifeMs): number {
  const n = samples.length;
  if (n === 0) return Number.NaN;
  let max = 0;
  for (let i = 0; i < n; i++) if (samples[i].v > max) max = samples[i].v;
  if (max <= 0) return 0;
  const histogram = new Float64Array(buckets);
  const width = max / buckets;
  let total = 0;
  for (let i = 0; i < n; i++) {
    // Weights underflow to 0 for samples many half-lives old; that only makes them negligible.
    const w = Math.pow(2, -(now - samples[i].t) / halfLifeMs);
    histogram[Math.min(buckets - 1, Math.floor(samples[i].v / width))] += w;
    total += w;
  }
  const threshold = q * total;
  let cumulative = 0;
  for (let b = 0; b < buckets; b++) {
    cumulative += histogram[b];
    if (cumulative >= threshold && histogram[b] > 0) return (b + 1) * width;
  }
  return max;
}
