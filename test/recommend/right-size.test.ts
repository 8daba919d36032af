import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import { maxGrowthFactor, maxTasksCap } from '../../src/recommend/replicas.ts';
import type { ServiceSpec } from '../../src/recommend/types.ts';
import { weightedPercentile } from '../../src/recommend/weighted-percentile.ts';
import { day, minute, series } from './synthetic.ts';

const twoWeeks = 14 * 24 * 60;
const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({ app: 'shop', service: 'web', cpu: 2, memoryMiB: 4096, instances: { min: 2, max: 2 }, region: 'us-east-1', ...over });
const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('right-sizing cpu and memory', () => {
  it('sizes cpu at the P90 of a uniform load plus 15 %, widened by 1/days, snapped to Fargate', () => {
    // Utilisation cycles through 0, 0.2, …, 19.8 % of 2 vCPU every 100 minutes, so every hour of
    // every day holds the same spread: whatever the recency weights, the P90 is the 90th of 100
    // evenly spaced values, 17.8-18 % of 2 vCPU = 0.356-0.36 vCPU.
    const cpu = series(twoWeeks, minute, (i) => (i % 100) * 0.2);
    // Memory at 25 % of 4 GiB with a single 30 % sample: the peak is 0.3 × 4096 = 1228.8 MiB.
    const memory = series(twoWeeks, minute, (i) => (i === 5000 ? 30 : 25));
    const rec = recommendService(spec(), { cpu, memory });
    assert.equal(rec.status, 'ok');
    const c = rec.cpu!;
    close(c.basisValue, 0.358, 0.003, 'weighted P90');
    close(c.percentiles.p90, 0.358, 0.003, 'unweighted P90');
    close(c.target, c.basisValue * 1.15, 1e-9, 'target = P90 × 1.15');
    const days = (twoWeeks - 1) / (24 * 60);
    close(c.upperBound, c.target * (1 + 1 / days), 1e-9, 'upper bound');
    // A decrease goes to the upper bound (≈ 0.44 vCPU): the smallest Fargate cpu above it is 0.5.
    assert.equal(c.recommended, 0.5);
    const m = rec.memory!;
    assert.equal(m.basis, 'peak');
    close(m.basisValue, 1228.8, 1e-6, 'memory peak');
    // 1228.8 × 1.15 = 1413 MiB; widened 1514 MiB; 0.5 vCPU takes 1, 2, 3 or 4 GiB → 2 GiB.
    assert.equal(m.recommended, 2048);
    // Savings: (2 − 0.5) vCPU × $0.04048 × 730 h × 2 tasks, and 2 GiB × $0.004445 × 730 × 2.
    close(c.monthlySaving, 1.5 * 0.04048 * 730 * 2, 0.01, 'cpu saving');
    close(m.monthlySaving, 2 * 0.004445 * 730 * 2, 0.01, 'memory saving');
  });

  it('weights recent samples: a busy last day dominates a quiet fortnight (24 h half-life)', () => {
    // 13 days at 10 %, the last day at 50 %. Unweighted, the last day is 1/14 of the samples, so
    // the P90 is 10 %. Weighted, the last day carries (1 − 2^−1) / (1 − 2^−14) ≈ 50 % of the
    // weight, more than the top 10 %, so the weighted P90 is 50 %.
    const cpu = series(twoWeeks, minute, (i) => (i >= 13 * 24 * 60 ? 50 : 10));
    const rec = recommendService(spec({ cpu: 1, memoryMiB: 2048 }), { cpu });
    close(rec.cpu!.percentiles.p90, 0.1, 0.001, 'unweighted P90');
    close(rec.cpu!.basisValue, 0.5, 0.001, 'weighted P90');
    const weights = series(2, day, (i) => i); // direct check of the weight: one day old counts half
    // {0 one day old (weight 0.5), 1 now (weight 1)}: the old sample holds a third of the weight.
    close(weightedPercentile(weights, 0.33, weights[1].t), 0, 1e-3, 'P33');
    close(weightedPercentile(weights, 0.34, weights[1].t), 1, 1e-3, 'P34 is past the old sample');
    close(weightedPercentile(weights, 0.5, weights[1].t), 1, 1e-3, 'median');
  });

  it('widens the bounds more with two days of history than with fourteen', () => {
    const short = recommendService(spec(), { cpu: series(2 * 24 * 60, minute, (i) => (i % 100) * 0.2) }).cpu!;
    const long = recommendService(spec(), { cpu: series(twoWeeks, minute, (i) => (i % 100) * 0.2) }).cpu!;
    close(short.upperBound / short.target, 1 + 1 / ((2 * 24 * 60 - 1) / (24 * 60)), 1e-9, 'short ratio');
    assert.ok(short.upperBound / short.target > long.upperBound / long.target);
  });

  it('grows an undersized task to the target, not the widened bound', () => {
    // Steady 90 % of 0.25 vCPU = 0.225 vCPU; × 1.15 = 0.259 vCPU > 0.25 → the next size, 0.5 vCPU.
    const rec = recommendService(spec({ cpu: 0.25, memoryMiB: 512 }), { cpu: series(3 * 24 * 60, minute, () => 90) });
    close(rec.cpu!.target, 0.225 * 1.15, 0.001, 'target');
    assert.equal(rec.cpu!.recommended, 0.5);
    assert.ok(rec.cpu!.monthlySaving < 0, 'a bigger task costs more: negative saving');
    // Fargate cpu sizes double, so the cpu case cannot tell the target from the bound; memory at
    // 0.5 vCPU comes in 1 GiB steps and can. Two days at a steady 89.2 % of 2 GiB: the peak is
    // 0.892 × 2048 = 1826.816 MiB, the target × 1.15 = 2100.84 MiB → 3 GiB. The widened bound is
    // 2100.84 × (1 + 1/1.99931 days) = 3151.6 MiB, which would need 4 GiB: growth goes to the target.
    const memory = recommendService(spec({ cpu: 0.5, memoryMiB: 2048 }), { memory: series(2 * 24 * 60, minute, () => 89.2) }).memory!;
    close(memory.target, 2100.8384, 1e-6, 'memory target');
    close(memory.upperBound, 3151.62, 0.01, 'memory upper bound');
    assert.equal(memory.recommended, 3072);
  });

  it('confidence grows with history and reaches 1 at a week of complete data', () => {
    const conf = (days: number) => recommendService(spec(), { cpu: series(days * 24 * 60, minute, () => 10) }).confidence;
    assert.ok(conf(2) < conf(4) && conf(4) < conf(8));
    assert.equal(conf(8), 1);
  });

  it('leaves per-task cpu to horizontal scaling when the service autoscales', () => {
    const rec = recommendService(spec({ instances: { min: 2, max: 6 } }), { cpu: series(3 * 24 * 60, minute, () => 20) });
    assert.equal(rec.cpu, undefined);
    assert.ok(rec.notes.some((n) => /left to horizontal scaling/.test(n)));
  });
});

describe('instances and autoscaling', () => {
  it('applies desired = ceil(running × utilisation / target) to a steady load', () => {
    // 4 tasks of 1 vCPU at a steady 50 %: load 2 vCPU, no bursts, so the target is the 80 % ceiling
    // and desired = 2 / (1 × 0.8) = 2.5 → 3 tasks for min. max is the safety ceiling
    // ceil(maxGrowthFactor × peak desired) = ceil(3 × 2.5) = 8 (above today's 4 and P99 × 1.15 = 2.875).
    // The task stays 1 vCPU (0.5 × 1.15 = 0.575 vCPU, above 0.5). The saving comes from tasks that
    // run, not from max: one task of 1 vCPU / 2 GiB: 730 × (0.04048 + 2 × 0.004445) = $36.04 a month.
    const rec = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 4, max: 4 } }), { cpu: series(3 * 24 * 60, minute, () => 50) });
    assert.equal(maxGrowthFactor, 3);
    assert.deepEqual(rec.instances!.recommended, { min: 3, max: 8, target: 80 });
    close(rec.instances!.monthlySaving, 36.04, 0.01, 'saving');
  });

  it('bounds the growth term of max by maxTasksCap, and keeps a larger max set by hand', () => {
    // 40 tasks of 1 vCPU at a steady 90 %: load 36 vCPU, desired = 36 / 0.8 = 45 (min 45).
    // Growth term: 3 × 45 = 135, capped at maxTasksCap (100); P99 × 1.15 = 51.75 → 52; so max = 100.
    const cpu = series(3 * 24 * 60, minute, () => 90);
    const capped = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 40 } }), { cpu });
    assert.equal(maxTasksCap, 100);
    assert.deepEqual(capped.instances!.recommended, { min: 45, max: 100, target: 80 });
    // The same 40 running tasks under a hand-set max of 150, above the cap: a max below today's
    // saves nothing (tasks cost only while they run), so 150 is kept.
    const instances = series(3 * 24 * 60, minute, () => 40);
    const byHand = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 150 } }), { cpu, instances });
    assert.deepEqual(byHand.instances!.recommended, { min: 45, max: 150, target: 80 });
  });

  it('raises min, and says why, when load steps up faster than the scaler reacts', () => {
    // One task of 1 vCPU runs at 40 % for an hour, then 100 % for an hour, and so on: load 0.4 →
    // 1.0 vCPU. At an 80 % target the quiet hour asks for 1 task, and each step breaches the
    // 80 % ceiling for the one interval the scaler needs to react: 1 interval in 24, over the
    // 0.5 % budget. Lowering the target far enough (below 40 %, so the quiet hour runs 2 tasks)
    // costs more than a min of 2 at 80 %, which holds the 1.0 vCPU step (2 × 0.8 = 1.6).
    const cpu = series(3 * 24 * 60, minute, (i) => (Math.floor(i / 60) % 2 ? 100 : 40));
    const rec = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 1, max: 4 } }), { cpu, instances: series(3 * 24 * 60, minute, () => 1) });
    const i = rec.instances!;
    assert.equal(i.recommended.target, 80);
    assert.equal(i.recommended.min, 2);
    assert.deepEqual(i.headroom && { baseMin: i.headroom.baseMin }, { baseMin: 1 });
    assert.equal(i.replay.breachRate, 0);
    assert.ok(rec.notes.some((n) => /load jumps faster than target tracking reacts/.test(n)), rec.notes.join('\n'));
  });
});

describe('instances from requests', () => {
  it('takes the larger of the cpu figure and requests / requestsPerInstance', () => {
    // cpu alone would need one task (5 % of 2 × 1 vCPU); 1,000 requests/s at 100 per instance need 10.
    const cpu = series(3 * 24 * 60, minute, () => 5);
    const requests = series(3 * 24 * 60, minute, () => 1000);
    const withRequests = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 4 }, requestsPerInstance: 100 }), { cpu, requests });
    assert.equal(withRequests.instances!.basis, 'cpu+requests');
    assert.equal(withRequests.instances!.recommended.min, 10);
    assert.equal(withRequests.instances!.desired.p50, 10);
    const cpuOnly = recommendService(spec({ cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 4 } }), { cpu, requests });
    assert.equal(cpuOnly.instances!.basis, 'cpu');
    assert.equal(cpuOnly.instances!.recommended.min, 2);
  });
});
