import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateTargets, chooseTrackingPolicy } from '../../src/recommend/choose-tracking-policy.ts';
import { replayTargetTracking } from '../../src/recommend/target-tracking.ts';
import { noise } from './synthetic.ts';

describe('target-tracking replay', () => {
  it('scales out one interval after a step and in only after fifteen minutes below', () => {
    // Tasks of 1 vCPU at a 50 % target: 0.4 vCPU asks for 1 task, 1.4 vCPU for 3.
    // interval:  0    1    2    3    4    5    6    7
    // load:     0.4  1.4  1.4  0.4  0.4  0.4  0.4  0.4
    // running:   1    1    3    3    3    3    1    1   (out the interval after the step; in once
    //                                                     three intervals have asked for 1)
    // breach:   no  yes   no   no ...  (1.4 > 0.8 × 1 task)
    const load = [0.4, 1.4, 1.4, 0.4, 0.4, 0.4, 0.4, 0.4];
    const replay = replayTargetTracking(load, 1, { target: 50, min: 1, max: 10 });
    assert.deepEqual(replay, { intervals: 8, taskIntervals: 1 + 1 + 3 + 3 + 3 + 3 + 1 + 1, breaches: 1, overTarget: 1 });
  });

  it('holds a scheduled floor and skips unknown intervals', () => {
    const load = [0.4, Number.NaN, 0.4, 0.4];
    const replay = replayTargetTracking(load, 1, { target: 50, min: 1, max: 10 }, { floorAt: (i) => (i >= 2 ? 4 : 0) });
    assert.deepEqual(replay, { intervals: 3, taskIntervals: 1 + 4 + 4, breaches: 0, overTarget: 0 });
  });
});

describe('choosing target and min by replaying the history', () => {
  // Load with a daily-ish swing, noise and occasional steps: the kind of series where the
  // cheapest policy within the budget is not obvious.
  const series = (seed: number, n = 2000) => {
    const rand = noise(seed);
    const out = new Float64Array(n);
    let level = 3;
    for (let i = 0; i < n; i++) {
      if (rand() > 0.97) level = Math.min(12, Math.max(0.5, level * (1 + 1.5 * rand())));
      out[i] = Math.max(0, level * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 288)) + 0.3 * rand());
      if (i % 500 === 7) out[i] = Number.NaN; // a gap
    }
    return out;
  };

  for (const [seed, budget] of [[1, 0], [2, 0.005], [3, 0.02], [4, 0.005]] as const) {
    it(`is the cheapest (target, min) within a ${budget * 100} % breach budget, as a brute-force replay finds (series ${seed})`, () => {
      const load = series(seed);
      const baseMinFor = () => 1;
      const maxFor = () => 60;
      const chosen = chooseTrackingPolicy({ load, taskCpu: 1, baseMinFor, maxFor, breachBudget: budget });
      assert.ok(chosen);
      // Brute force: every candidate target and every min, each replayed in full.
      let best: { target: number; min: number; mean: number; breaches: number } | undefined;
      for (const target of candidateTargets) {
        for (let min = 1; min <= 60; min++) {
          const r = replayTargetTracking(load, 1, { target, min, max: 60 });
          if (r.breaches > Math.floor(budget * r.intervals)) continue;
          const mean = r.taskIntervals / r.intervals;
          if (!best || mean < best.mean - 1e-9) best = { target, min, mean, breaches: r.breaches };
          break; // a larger min only costs more at this target
        }
      }
      assert.ok(best);
      assert.equal(chosen.meanTasks.toFixed(9), best.mean.toFixed(9));
      const replay = replayTargetTracking(load, 1, chosen);
      assert.equal(replay.breaches / replay.intervals, chosen.breachRate);
      assert.equal((replay.taskIntervals / replay.intervals).toFixed(9), chosen.meanTasks.toFixed(9));
      assert.ok(chosen.breachRate <= budget, `breach ${chosen.breachRate}`);
    });
  }

  it('never recommends more tasks than the limit it is given', () => {
    const load = Float64Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? 5000 : 10));
    const chosen = chooseTrackingPolicy({ load, taskCpu: 1, baseMinFor: () => 1, maxFor: () => 1e9, breachBudget: 0, limit: 1000 });
    assert.ok(chosen);
    assert.ok(chosen.min <= 1000 && chosen.max <= 1000, JSON.stringify(chosen));
  });
});
