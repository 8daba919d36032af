import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeApplied, fingerprintOf, lastTimeNote, measureEffect } from '../../src/recommend/recommendation-history.ts';
import { day, minute, monday, series } from './synthetic.ts';

const price = { vcpuHour: 0.04048, gbHour: 0.004445 };

describe('recommendation history (pure part)', () => {
  it('fingerprints by service, kind and proposed value, not by wording', () => {
    const a = fingerprintOf({ service: 'web', kind: 'instances', title: 'web: instances 4 → 2–14', change: { field: 'instances', to: { min: 2, max: 14 } } });
    const reworded = fingerprintOf({ service: 'web', kind: 'instances', title: 'web: instances 3 → 2–14', change: { field: 'instances', to: { min: 2, max: 14 } } });
    const other = fingerprintOf({ service: 'web', kind: 'instances', title: 'web: instances 4 → 2–14', change: { field: 'instances', to: { min: 3, max: 14 } } });
    assert.equal(a, reworded);
    assert.notEqual(a, other);
    assert.match(a, /^[0-9a-f]{32}$/);
  });

  it('tells whether a later paas.yaml applied the proposed value', () => {
    const web = { type: 'web' as const, port: 8080, cpu: 0.5, memory: '1Gi', instances: { min: 2, max: 14 }, autoscaling: { cpu: 60 }, schedule: [{ cron: '0 8 * * 1-5', min: 4 }] };
    assert.ok(changeApplied({ field: 'instances', to: { min: 2, max: 14 } }, web));
    assert.ok(!changeApplied({ field: 'instances', to: { min: 2, max: 10 } }, web));
    assert.ok(changeApplied({ field: 'cpu', to: 0.5 }, web));
    assert.ok(changeApplied({ field: 'memory', to: 1024 }, web));
    assert.ok(!changeApplied({ field: 'memory', to: 2048 }, web));
    assert.ok(changeApplied({ field: 'autoscaling.cpu', to: 60 }, web));
    assert.ok(changeApplied({ field: 'schedule', to: [{ cron: '0 8 * * 1-5', min: 4 }] }, web));
    assert.ok(!changeApplied({ field: 'schedule', to: [{ cron: '0 9 * * 1-5', min: 4 }] }, web));
    assert.ok(!changeApplied({ field: 'cpu', to: 0.5 }, undefined), 'a service that is gone applied nothing');
    const worker = { type: 'worker' as const, autoscaling: { backlogPerInstance: 100 } };
    assert.ok(changeApplied({ field: 'autoscaling.backlogPerInstance', to: 100 }, worker));
    assert.ok(changeApplied({ field: 'cpu', to: 0.25 }, worker), 'the default cpu');
  });

  it('measures the saving from the tasks that ran before and after, at the sizes in force', () => {
    // Before: 4 tasks of 1 vCPU / 2 GiB; after: 2.5 tasks on average of 0.5 vCPU / 1 GiB.
    const before = { tasks: series(7 * 24 * 12, 5 * minute, () => 4), cpu: 1, memoryMiB: 2048, fallbackTasks: 4, days: 7 };
    const after = { tasks: series(7 * 24 * 12, 5 * minute, (i) => (i % 2 ? 2 : 3), monday + 8 * day), cpu: 0.5, memoryMiB: 1024, fallbackTasks: 2, days: 7 };
    const effect = measureEffect(before, after, price);
    // 4 × (0.04048 + 2 × 0.004445) × 730 = 144.16; 2.5 × (0.02024 + 0.004445) × 730 = 45.05
    assert.deepEqual(effect, { beforeMonthly: 144.16, afterMonthly: 45.05, saving: 99.11, beforeDays: 7, afterDays: 7, basis: 'recorded tasks' });
    const unrecorded = measureEffect({ ...before, tasks: [] }, { ...after, tasks: [] }, price);
    assert.equal(unrecorded.basis, 'configured minimum');
    assert.equal(unrecorded.afterMonthly, 36.04); // 2 × 0.024685 × 730
  });

  it('says what the last accepted recommendation of the kind saved', () => {
    const note = lastTimeNote({ kind: 'instances', service: 'web', decidedAt: new Date(Date.UTC(2026, 10, 2)), effect: { beforeMonthly: 144.16, afterMonthly: 100.9, saving: 43.26, beforeDays: 7, afterDays: 7, basis: 'recorded tasks' } });
    assert.equal(note, 'Last time: the instances recommendation for web accepted on 2026-11-02 saved $43.26/month ($144.16 → $100.90, measured from recorded tasks over 7 days before and 7 after).');
  });
});
