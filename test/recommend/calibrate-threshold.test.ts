import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrateThreshold, clusterPeaks, fitGeneralisedPareto } from '../../src/recommend/calibrate-threshold.ts';
import { noise } from './synthetic.ts';

const step = 300_000;
const options = { perDay: 0.1, stepMs: step, mergeGapMs: 3_600_000, minPoints: 2, baseQuantile: 0.98, minThreshold: 3.5 };

/**
 * 2 |AR(1)| noise with Gaussian (or heavy-tailed) shocks: residual scores of a well-modelled series,
 * autocorrelated as real ones are, scaled so that the 3.5 floor does not decide the threshold.
 */
function scores(days: number, seed: number, shock: 'gauss' | 'heavy'): Float64Array {
  const rand = noise(seed);
  const uniform = () => (rand() + 1) / 2 || 1e-12;
  const draw = () => {
    if (shock === 'heavy') {
      // Symmetric Lomax with tail index 3 (unit variance): a polynomial tail, as spiky series have.
      const sign = rand() > 0 ? 1 : -1;
      return sign * (uniform() ** (-1 / 3) - 1);
    }
    return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()); // Box–Muller
  };
  const out = new Float64Array(days * 288);
  let x = 0;
  for (let i = 0; i < out.length; i++) {
    x = 0.5 * x + Math.sqrt(1 - 0.25) * draw();
    out[i] = 2 * Math.abs(x);
  }
  return out;
}

/** Alarms (clusters with at least minPoints points above the threshold) per day. */
function alarmsPerDay(s: Float64Array, threshold: number): number {
  return clusterPeaks(s, threshold, options).length / ((s.length * step) / 86_400_000);
}

describe('false-alarm calibration (peaks over threshold)', () => {
  for (const shock of ['gauss', 'heavy'] as const) {
    it(`holds about the asked rate on fresh data from the same process (${shock} shocks)`, () => {
      // Calibrated on 30 days, scored on 400 days it never saw. At 0.1/day, 400 days should show
      // about 40 alarms; the test allows 0.03–0.25/day (a threshold 40 % lower would be far
      // outside: see the last assertion).
      const calibration = calibrateThreshold(scores(30, 11, shock), options);
      const fresh = scores(400, 97, shock);
      const rate = alarmsPerDay(fresh, calibration.threshold);
      assert.equal(calibration.method, 'return-level');
      assert.ok(rate >= 0.03 && rate <= 0.25, `rate ${rate.toFixed(3)}/day at threshold ${calibration.threshold.toFixed(2)}`);
      assert.ok(alarmsPerDay(fresh, 0.6 * calibration.threshold) > 0.4, 'a threshold 40 % lower alarms far more often');
    });
  }

  it('sets a higher threshold for heavier-tailed residuals', () => {
    const gauss = calibrateThreshold(scores(30, 5, 'gauss'), options);
    const heavy = calibrateThreshold(scores(30, 5, 'heavy'), options);
    assert.ok(heavy.threshold > gauss.threshold * 1.3, `heavy ${heavy.threshold} vs gauss ${gauss.threshold}`);
  });

  it('never goes below the floor on a series with almost no noise', () => {
    const flat = Float64Array.from({ length: 14 * 288 }, (_, i) => (i % 7) * 0.01);
    assert.equal(calibrateThreshold(flat, options).threshold, 3.5);
  });

  it('recovers the shape and scale of generalised Pareto draws', () => {
    // Inverse CDF: x = σ/ξ ((1 − u)^−ξ − 1), on a fine grid of u (a deterministic sample).
    const xi = 0.2;
    const sigma = 1.5;
    const draws = Array.from({ length: 5000 }, (_, i) => (sigma / xi) * ((1 - (i + 0.5) / 5000) ** -xi - 1));
    const fit = fitGeneralisedPareto(draws);
    assert.ok(Math.abs(fit.shape - xi) < 0.03, `shape ${fit.shape}`);
    assert.ok(Math.abs(fit.scale - sigma) < 0.05, `scale ${fit.scale}`);
  });
});
