/**
 * The verdict on its own: a clean deploy passes, a step regression is caught with its evidence,
 * too few samples or none since the deploy are inconclusive (never a regression), a metric never
 * recorded is not judged, and the weekly discount keeps a daily rush from being blamed on a deploy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeDeploy } from '../../src/rollback/judge-deploy.ts';
import { judgeMetric } from '../../src/rollback/judge-metric.ts';
import { historyScale } from '../../src/rollback/history-scale.ts';
import { defaultVerdictSettings, type VerdictSettings } from '../../src/rollback/verdict-settings.ts';
import { verdictWindows, weekMs } from '../../src/rollback/verdict-windows.ts';

/** A seeded noisy series around `level` (±20 %), so every run sees the same numbers. */
function noisy(n: number, level: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return level * (0.8 + 0.4 * (state / 2 ** 31));
  });
}

const settings: VerdictSettings = { ...defaultVerdictSettings, seasonal: true };

test('a deploy whose metrics stay where they were passes, with the evidence of each metric', () => {
  const verdict = judgeDeploy(
    [
      { service: 'web', metric: 'latency', before: noisy(120, 200, 1), after: noisy(15, 200, 2) },
      { service: 'web', metric: 'errors', before: noisy(120, 3, 3), after: noisy(15, 3, 4) },
    ],
    settings,
  );
  assert.equal(verdict.verdict, 'pass', verdict.reason);
  assert.deepEqual(verdict.metrics.map((m) => [m.metric, m.verdict]), [['latency', 'pass'], ['errors', 'pass']]);
  for (const m of verdict.metrics) {
    assert.equal(m.samples.after, 15);
    assert.ok(m.p! > settings.alpha, `p ${m.p}`);
    assert.ok(Math.abs(m.effect!) < 0.15, `effect ${m.effect}`);
  }
});

test('latency 50 % higher after the deploy is a regression: medians, effect, p-value and samples say so', () => {
  const verdict = judgeDeploy([{ service: 'web', metric: 'latency', before: noisy(120, 200, 5), after: noisy(15, 300, 6) }], settings);
  assert.equal(verdict.verdict, 'regression');
  const [m] = verdict.metrics;
  assert.equal(m!.verdict, 'regression');
  assert.ok(m!.effect! > 0.4 && m!.effect! < 0.6, `effect ${m!.effect}`);
  assert.ok(m!.p! < 1e-6, `p ${m!.p}`);
  assert.ok(m!.superiority! > 0.95);
  assert.deepEqual(m!.samples, { before: 120, after: 15 });
  assert.ok(m!.median!.after > m!.median!.before * 1.4);
  assert.match(verdict.reason, /^latency of web rose \d+\.\d % \(median \d+ → \d+, p = [\d.e-]+, 15 samples after, 120 before\)$/);
});

test('a rise that is shown but small (5 %) is not a regression: the effect size must count too', () => {
  const before = noisy(2000, 100, 7);
  const after = noisy(2000, 105, 8);
  const m = judgeMetric({ service: 'web', metric: 'cpu', before, after }, settings);
  assert.ok(m.p! < settings.alpha, 'with 2,000 samples a side, 5 % is significant');
  assert.equal(m.verdict, 'pass');
  assert.match(m.reason, /under the 20 % that counts/);
});

test('a drop is never a regression (the metrics watched are worse when higher)', () => {
  const verdict = judgeDeploy([{ service: 'web', metric: 'cpu', before: noisy(120, 60, 9), after: noisy(15, 20, 10) }], settings);
  assert.equal(verdict.verdict, 'pass');
  assert.ok(verdict.metrics[0]!.p! > 0.99);
});

test('too few samples on a side is inconclusive, even when the few there are look far worse', () => {
  const verdict = judgeDeploy([{ service: 'web', metric: 'errors', before: noisy(120, 1, 11), after: [50, 60] }], settings);
  assert.equal(verdict.verdict, 'inconclusive');
  assert.equal(verdict.reason, 'errors of web: only 2 sample(s) after the deploy, at least 3 needed on each side');
});

test('a metric recorded before the deploy but missing since is inconclusive, said plainly', () => {
  const verdict = judgeDeploy(
    [
      { service: 'web', metric: 'latency', before: noisy(120, 200, 12), after: [] },
      { service: 'web', metric: 'cpu', before: noisy(120, 40, 13), after: noisy(15, 40, 14) },
    ],
    settings,
  );
  assert.equal(verdict.verdict, 'inconclusive');
  assert.match(verdict.reason, /latency of web: only 0 sample\(s\) after the deploy/);
});

test('a regression in one metric decides, even when another is inconclusive', () => {
  const verdict = judgeDeploy(
    [
      { service: 'web', metric: 'latency', before: noisy(120, 200, 15), after: [] },
      { service: 'web', metric: 'errors', before: noisy(120, 2, 16), after: noisy(15, 6, 17) },
    ],
    settings,
  );
  assert.equal(verdict.verdict, 'regression');
  assert.match(verdict.reason, /^errors of web rose/);
});

test('metrics never recorded for a service are listed, not judged; nothing recorded at all is inconclusive', () => {
  const some = judgeDeploy(
    [
      { service: 'web', metric: 'latency', before: [], after: [] },
      { service: 'web', metric: 'cpu', before: noisy(120, 40, 18), after: noisy(15, 41, 19) },
    ],
    settings,
  );
  assert.equal(some.verdict, 'pass');
  assert.deepEqual(some.notRecorded, ['latency of web']);
  const none = judgeDeploy([{ service: 'web', metric: 'latency', before: [], after: [] }], settings);
  assert.equal(none.verdict, 'inconclusive');
  assert.equal(none.reason, 'no metrics recorded for this deploy (latency of web): nothing to judge');
});

test('the same hours a week earlier discount a daily rush: traffic that doubled then too is not blamed on the deploy', () => {
  const input = { service: 'web', metric: 'cpu', before: noisy(120, 30, 20), after: noisy(15, 60, 21), weekBefore: noisy(120, 31, 22), weekAfter: noisy(15, 62, 23) };
  assert.equal(judgeDeploy([input], settings).verdict, 'pass');
  assert.ok(Math.abs(judgeDeploy([input], settings).metrics[0]!.seasonalFactor! - 2) < 0.1);
  // Without the week's discount, the same numbers are a regression.
  assert.equal(judgeDeploy([input], { ...settings, seasonal: false }).verdict, 'regression');
  // A week-old incident cannot excuse a regression of any size: the factor is held within [0.5, 2].
  const incident = { ...input, after: noisy(15, 150, 24), weekAfter: noisy(15, 600, 25) };
  const judged = judgeDeploy([incident], settings);
  assert.equal(judged.metrics[0]!.seasonalFactor, 2);
  assert.equal(judged.verdict, 'regression');
});

test('the windows: the baseline is a multiple of the watch before the deploy, the watch ends at the check or its end, the week earlier mirrors both, the history holds the baseline', () => {
  const deployedAt = Date.UTC(2026, 0, 10, 12);
  const watchMs = 15 * 60_000;
  const w = verdictWindows({ deployedAt, watchMs, now: deployedAt + 5 * 60_000 }, { baselineWatches: 8, historyWatches: 24 });
  assert.deepEqual(w.before, { from: deployedAt - 2 * 3_600_000, to: deployedAt });
  assert.deepEqual(w.after, { from: deployedAt, to: deployedAt + 5 * 60_000 });
  assert.deepEqual(w.weekAfter, { from: deployedAt - weekMs, to: deployedAt + 5 * 60_000 - weekMs });
  assert.deepEqual(w.history, { from: deployedAt - 6 * 3_600_000, to: deployedAt });
  assert.deepEqual(verdictWindows({ deployedAt, watchMs, now: deployedAt + 3_600_000 }, { baselineWatches: 8, historyWatches: 24 }).after.to, deployedAt + watchMs);
});

test('a baseline with spikes: the rank test sees the shift of the usual level weakly, the sign test (after samples above the baseline median) clearly', () => {
  // 70 % of the baseline around 100, 30 % spikes at 1,000; after: the usual level moved to 150.
  const before = noisy(100, 100, 31).map((v, i) => (i % 10 < 3 ? 1000 : v));
  const after = noisy(12, 150, 33);
  const rank = judgeMetric({ service: 'web', metric: 'latency', before, after }, { ...settings, test: 'rank' });
  const sign = judgeMetric({ service: 'web', metric: 'latency', before, after }, { ...settings, test: 'sign' });
  assert.equal(rank.verdict, 'pass', rank.reason);
  assert.ok(rank.p! > settings.alpha, `rank p ${rank.p}`);
  assert.equal(sign.verdict, 'regression', sign.reason);
  assert.ok(Math.abs(sign.pAbove! - 0.5 ** 12) < 1e-12, `all 12 after samples above the median: ½¹², got ${sign.pAbove}`);
  assert.match(sign.reason, /^latency of web rose \d+\.\d % \(median 1\d\d → 1\d\d, p = 0\.00024, 12 samples after, 100 before\)$/);
});

test('the service\'s usual movement, from its own history: a level that wanders ±30 % asks more of a rise than a steady one', () => {
  const minute = 60_000;
  const times = Array.from({ length: 600 }, (_, i) => i * minute);
  const steady = { times, values: noisy(600, 100, 41) };
  // Every 20 minutes the level steps to somewhere between 70 and 130.
  const levels = noisy(30, 100, 43).map((v) => 70 + 60 * ((v - 80) / 40));
  const wandering = { times, values: noisy(600, 1, 45).map((v, i) => v * levels[Math.floor(i / 20)]!) };
  const input = { beforeMs: 60 * minute, afterSamples: 12, stepMs: 5 * minute };
  const still = historyScale(steady, input)!;
  const moving = historyScale(wandering, input)!;
  assert.ok(still < 0.1 && moving > 2 * still, `steady ${still}, wandering ${moving}`);
  assert.equal(historyScale({ times: times.slice(0, 80), values: steady.values.slice(0, 80) }, input), undefined, 'too short a history: no scale');
  // A 30 % rise: a regression for the steady service, within the wandering one's usual movement.
  const rise = { ...settings, minZ: 3, minEffect: 0.1, alpha: 0.01 };
  const after = noisy(12, 130, 47);
  const calm = judgeMetric({ service: 'web', metric: 'cpu', before: steady.values.slice(-60), after, scale: still }, rise);
  const busy = judgeMetric({ service: 'web', metric: 'cpu', before: steady.values.slice(-60), after, scale: moving }, rise);
  assert.equal(calm.verdict, 'regression', calm.reason);
  assert.equal(busy.verdict, 'pass');
  assert.match(busy.reason, /is within how much it moves by itself \(\d\.\d × its usual movement, 3 needed\)$/);
});
