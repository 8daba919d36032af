import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import { serviceSpec } from '../../src/recommend/service-spec.ts';
import { toSummary } from '../../src/recommend/to-summary.ts';
import type { ServiceSpec } from '../../src/recommend/types.ts';
import { minute, series } from './synthetic.ts';

const worker = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({ app: 'shop', service: 'jobs', cpu: 1, memoryMiB: 2048, instances: { min: 1, max: 20 }, region: 'us-east-1', ...over });
const points = 3 * 24 * 12;

describe('workers scaled on queue backlog', () => {
  it('reads backlogPerInstance from a worker in paas.yaml', () => {
    const config = { name: 'shop', region: 'us-east-1', services: { jobs: { type: 'worker' as const, queue: 'tasks', autoscaling: { backlogPerInstance: 100 } } } };
    assert.equal(serviceSpec(config as never, 'jobs')?.spec.backlogPerInstance, 100);
  });

  it('runs at least backlog / backlogPerInstance tasks when that is more than cpu asks for', () => {
    // 2 tasks at 5 % cpu: cpu alone asks for 1 task; 1,000 messages at 100 per task ask for 10.
    const cpu = series(points, 5 * minute, () => 5);
    const instances = series(points, 5 * minute, () => 2);
    const backlog = series(points, 5 * minute, () => 1000);
    const rec = recommendService(worker({ backlogPerInstance: 100 }), { cpu, instances, backlog });
    assert.equal(rec.instances!.basis, 'cpu+backlog');
    assert.equal(rec.instances!.recommended.min, 10);
    const withoutSetting = recommendService(worker(), { cpu, instances, backlog });
    assert.equal(withoutSetting.instances!.basis, 'cpu');
    assert.equal(withoutSetting.instances!.recommended.min, 1);
  });

  it('recommends the backlog per task at which the fleet runs at the cpu target', () => {
    // 4 tasks at 40 % cpu with 200 messages waiting (50 per task). The steady load gets an 80 %
    // target, where the same proportion gives 50 × 80 / 40 = 100 messages per task.
    const rec = recommendService(worker({ backlogPerInstance: 20 }), {
      cpu: series(points, 5 * minute, () => 40),
      instances: series(points, 5 * minute, () => 4),
      backlog: series(points, 5 * minute, () => 200),
    });
    assert.equal(rec.instances!.recommended.target, 80);
    assert.deepEqual(rec.backlogPerInstance, { current: 20, recommended: 100, samples: points });
    const row = toSummary(rec).find((s) => s.title.includes('backlogPerInstance'));
    assert.ok(row);
    assert.equal(row.title, 'jobs: autoscaling backlogPerInstance 20 → 100');
  });

  it('recommends nothing for a queue that is empty most of the time', () => {
    const rec = recommendService(worker(), {
      cpu: series(points, 5 * minute, () => 40),
      instances: series(points, 5 * minute, () => 4),
      backlog: series(points, 5 * minute, (i) => (i % 20 === 0 ? 30 : 0)),
    });
    assert.equal(rec.backlogPerInstance, undefined);
  });
});
