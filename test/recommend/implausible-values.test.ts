import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Instances, ScheduleFloor } from '../../src/config/schema.ts';
import { clampFleet } from '../../src/recommend/clamp-to-schema.ts';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import { toSummary } from '../../src/recommend/to-summary.ts';
import type { Sample, ServiceSpec } from '../../src/recommend/types.ts';
import { day, minute, monday, noise, series } from './synthetic.ts';

const spec: ServiceSpec = { app: 'shop', service: 'web', cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 20 }, targetCpu: 60, region: 'us-east-1' };
const rand = noise(3);
// Four tasks at 30–50 % with a daily swing: load 1.2–2 vCPU. The recommended max is today's 20
// (the growth term, 3 × the tasks that hold the peak under 80 %, is 3 × 3 = 9).
const cpu = series(14 * 24 * 12, 5 * minute, (_i, t) => 40 + 10 * Math.sin((2 * Math.PI * t) / day) + 2 * rand());
const instances = series(14 * 24 * 12, 5 * minute, () => 4);
const at = (t: number, v: number, list: Sample[]) => [...list.filter((s) => s.t !== t), { t, v }].sort((a, b) => a.t - b.t);

describe('implausible metric values', () => {
  const clean = recommendService(spec, { cpu, instances });

  it('does not let one spike of 100,000 % move the proposed max', () => {
    assert.equal(clean.instances!.recommended.max, 20);
    const spiked = recommendService(spec, { cpu: at(monday + 9 * day, 100_000, cpu), instances });
    assert.equal(spiked.instances!.recommended.max, 20);
    assert.deepEqual(spiked.instances!.recommended, clean.instances!.recommended);
    assert.deepEqual(spiked.implausible, [{ metric: 'cpu', count: 1, largest: 100_000, bound: 200 }]);
  });

  it('leaves two samples of 1e300 out instead of recommending 1e294 tasks, and flags them', () => {
    const poisoned = at(monday + 3 * day, 1e300, at(monday + 4 * day, 1e300, cpu));
    const rec = recommendService(spec, { cpu: poisoned, instances });
    assert.deepEqual(rec.instances!.recommended, clean.instances!.recommended);
    assert.ok(Instances.safeParse({ min: rec.instances!.recommended.min, max: rec.instances!.recommended.max }).success);
    assert.ok(Number.isFinite(rec.monthlySaving) && Math.abs(rec.monthlySaving) < 1e4, `saving ${rec.monthlySaving}`);
    const flagged = toSummary(rec).find((s) => s.kind === 'data');
    assert.ok(flagged, 'a data row flags the samples');
    assert.match(flagged.title, /2 implausible metric sample\(s\) left out/);
    assert.match(flagged.detail, /1\.00e\+300/);
  });

  it('with nothing but implausible samples, says there is not enough data', () => {
    const rec = recommendService(spec, { cpu: [{ t: monday, v: 1e300 }, { t: monday + minute, v: 1e300 }] });
    assert.equal(rec.status, 'not-enough-data');
    assert.equal(rec.implausible?.[0].count, 2);
    assert.equal(toSummary(rec).filter((s) => s.kind === 'data').length, 2);
  });

  it('flags running-task counts and request rates no service can have', () => {
    const rec = recommendService(spec, { cpu, instances: at(monday + 2 * day, 5e6, instances), requests: series(14 * 24 * 12, 5 * minute, (i) => (i === 7 ? 1e12 : 50)) });
    assert.deepEqual(rec.implausible?.map((x) => [x.metric, x.count]), [['instances', 1], ['requests', 1]]);
  });
});

describe('recommendations paas.yaml accepts', () => {
  it('caps instances at the schema limit and says so', () => {
    const { fleet, notes } = clampFleet({ min: 4321, max: 1e9, target: 80 });
    assert.deepEqual(fleet, { min: 1000, max: 1000, target: 80 });
    assert.ok(Instances.safeParse({ min: fleet.min, max: fleet.max }).success);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /above paas\.yaml's limit of 1000/);
  });

  it('keeps min at or below max and whole', () => {
    const { fleet } = clampFleet({ min: 7.6, max: 3.2, target: 64.7 });
    assert.deepEqual(fleet, { min: 3, max: 3, target: 65 });
  });

  it('recommends a schema-valid fleet and schedule for a service whose load needs more than a thousand tasks', () => {
    // 1,000 running tasks of 0.25 vCPU at 150 % (within the plausible bound): 375 vCPU, more
    // than a thousand 0.25-vCPU tasks can hold at 80 %.
    const big: ServiceSpec = { ...spec, cpu: 0.25, memoryMiB: 512, instances: { min: 2, max: 1000 } };
    const rec = recommendService(big, { cpu: series(3 * 24 * 12, 5 * minute, () => 150), instances: series(3 * 24 * 12, 5 * minute, () => 1000) });
    const r = rec.instances!.recommended;
    assert.ok(Instances.safeParse({ min: r.min, max: r.max }).success, JSON.stringify(r));
    assert.equal(r.max, 1000);
    for (const floor of rec.schedule?.floors ?? []) assert.ok(ScheduleFloor.safeParse(floor).success);
  });
});
