import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCost } from '../../src/cost/diff-cost.ts';
import { estimateCost, UnknownRegionError } from '../../src/cost/estimate-cost.ts';
import { runsPerMonth } from '../../src/cost/runs-per-month.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

const close = (actual: number, expected: number, label = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${label} ${actual} ≠ ${expected}`);
// Expected figures are worked out by hand from the list prices transcribed in
// src/cost/prices/us-east-1.ts and eu-central-1.ts (AWS's pricing pages, 2025-06), and AWS's
// 730-hour month, never read back from the tables or constants under test:
//   Fargate x86 $0.04048 per vCPU-hour and $0.004445 per GB-hour; Graviton $0.03238 and $0.00356;
//   Frankfurt x86 $0.04656 and $0.00511; RDS db.t4g.micro $0.016, db.t4g.small $0.032,
//   db.m7g.large $0.168 an hour, gp3 storage $0.115 per GB-month; ElastiCache cache.t4g.micro
//   $0.016 an hour; SQS standard $0.40 per million requests; Lambda $0.0000166667 per GB-second
//   and $0.20 per million requests.
const tag = (component: string) => ({ tags: { 'slipway:component': component } });

const app: TerraformJson = {
  resource: {
    aws_ecs_task_definition: { web: { cpu: '512', memory: '1024', ...tag('web') }, arm: { cpu: '1024', memory: '2048', runtime_platform: { cpu_architecture: 'ARM64' } } },
    aws_ecs_service: {
      web: { name: 'shop-web', desired_count: 2, task_definition: '${aws_ecs_task_definition.web.arn}', ...tag('web') },
      arm: { name: 'shop-arm', desired_count: 1, task_definition: '${aws_ecs_task_definition.arm.arn}', ...tag('arm') },
    },
    aws_appautoscaling_target: { web: { min_capacity: 3, max_capacity: 10, resource_id: 'service/main/${aws_ecs_service.web.name}' } },
    aws_db_instance: {
      single: { instance_class: 'db.t4g.small', allocated_storage: 20, storage_type: 'gp3', multi_az: false, ...tag('db') },
      ha: { instance_class: 'db.m7g.large', allocated_storage: 100, storage_type: 'gp3', multi_az: true, ...tag('db') },
      odd: { instance_class: 'db.x2iedn.32xlarge', allocated_storage: 20 },
    },
    aws_elasticache_replication_group: { cache: { node_type: 'cache.t4g.micro', num_cache_clusters: 2, ...tag('cache') } },
    aws_sqs_queue: { tasks: { name: 'tasks', ...tag('tasks') } },
    aws_lambda_function: { thumbs: { function_name: 'thumbs', memory_size: 512, ...tag('thumbs') } },
    aws_iam_role: { r: { name: 'role' } },
    aws_security_group: { sg: { name: 'sg' } },
    aws_lb_listener_rule: { rule: { priority: 10 } },
    aws_quantum_computer: { q: { qubits: 5 } },
  },
  data: { aws_vpc: { main: {} } },
};

describe('estimateCost', () => {
  const estimate = estimateCost(app, { region: 'us-east-1' });
  const line = (address: string) => {
    const found = estimate.lines.find((l) => l.address === address);
    assert.ok(found, address);
    return found;
  };

  it('prices Fargate from the task size and the autoscaling floor, × 730 hours', () => {
    // 3 tasks (the autoscaling minimum wins over desired_count 2) × 0.5 vCPU and 1 GB, for 730 h.
    // 3 × 730 × (0.5 × 0.04048 + 1 × 0.004445) = 2190 × 0.024685 = 54.06015
    close(line('aws_ecs_service.web').monthly, 54.06015, 'web');
    // ARM tasks use the Graviton rates: 1 task × 1 vCPU and 2 GB: 730 × (0.03238 + 2 × 0.00356) = 730 × 0.0395.
    close(line('aws_ecs_service.arm').monthly, 28.835, 'arm');
  });

  it('prices RDS instance hours and storage, doubled for Multi-AZ', () => {
    // 730 × 0.032 + 20 GB × 0.115 = 23.36 + 2.30
    close(line('aws_db_instance.single').monthly, 25.66);
    // 2 × (730 × 0.168 + 100 GB × 0.115) = 2 × (122.64 + 11.50)
    close(line('aws_db_instance.ha').monthly, 268.28);
  });

  it('prices ElastiCache per node', () => {
    // 2 nodes × 730 × 0.016
    close(line('aws_elasticache_replication_group.cache').monthly, 23.36);
  });

  it('lists unknown types and unknown instance classes as not priced, never dropping them', () => {
    assert.deepEqual(estimate.unpriced.sort(), ['aws_db_instance.odd', 'aws_quantum_computer.q']);
    assert.equal(line('aws_quantum_computer.q').priced, false);
    assert.equal(estimate.lines.length, 15, 'every managed resource has a line; data sources have none');
  });

  it('prices roles, security groups and listener rules at zero on purpose', () => {
    for (const address of ['aws_iam_role.r', 'aws_security_group.sg', 'aws_lb_listener_rule.rule', 'aws_ecs_task_definition.web']) {
      assert.equal(line(address).priced, true, address);
      assert.equal(line(address).monthly, 0, address);
    }
  });

  it('shows usage-based parts as unknown, not zero', () => {
    assert.deepEqual(estimate.usageBased.sort(), ['aws_lambda_function.thumbs', 'aws_sqs_queue.tasks']);
    const sqs = line('aws_sqs_queue.tasks');
    assert.equal(sqs.components[0].quantity, null);
    assert.equal(sqs.components[0].monthly, null);
  });

  it('estimates usage-based parts when usage is given, by address or component', () => {
    const withUsage = estimateCost(app, {
      region: 'us-east-1',
      usage: { 'aws_sqs_queue.tasks': { requestsPerMonth: 5_000_000 }, thumbs: { requestsPerMonth: 2_000_000, durationMs: 300 } },
    });
    const get = (a: string) => withUsage.lines.find((l) => l.address === a)!;
    // 5 million × $0.40
    close(get('aws_sqs_queue.tasks').monthly, 2);
    // 2M requests × 0.3 s × 0.5 GB = 300,000 GB-s × 0.0000166667 = 5.00001; plus 2 × $0.20.
    close(get('aws_lambda_function.thumbs').monthly, 5.40001);
    assert.equal(get('aws_lambda_function.thumbs').usageBased, false);
  });

  it('sums per component and in total', () => {
    const sum = estimate.lines.reduce((s, l) => s + l.monthly, 0);
    close(estimate.monthly, sum);
    // web 54.06015 + arm 28.835 + databases 25.66 + 268.28 + cache 23.36, plus the storage of the
    // database whose instance class is not priced (20 GB of gp2, the default, × 0.115 = 2.30): its
    // known part is counted, its instance hours are listed as unpriced. The rest is zero or unknown.
    close(estimate.monthly, 402.49515, 'total');
    close(line('aws_db_instance.odd').monthly, 2.3, 'odd');
    close(estimate.byComponent.db, 293.94, 'db');
    close(estimate.byComponent.web, 54.06015, 'web');
  });

  it('uses the region\'s table and refuses a region it has no prices for', () => {
    const frankfurt = estimateCost(app, { region: 'eu-central-1' });
    // 3 × 730 × (0.5 × 0.04656 + 0.00511) = 2190 × 0.02839
    close(frankfurt.lines.find((l) => l.address === 'aws_ecs_service.web')!.monthly, 62.1741);
    assert.throws(() => estimateCost(app, { region: 'ap-south-2' }), UnknownRegionError);
  });
});

describe('diffCost', () => {
  it('gives the change per resource, per component and in total', () => {
    const before = estimateCost({ resource: { aws_db_instance: { db: { instance_class: 'db.t4g.micro', allocated_storage: 20, storage_type: 'gp3', ...tag('db') } }, aws_sqs_queue: { gone: {} } } }, { region: 'us-east-1' });
    const after = estimateCost({ resource: { aws_db_instance: { db: { instance_class: 'db.t4g.small', allocated_storage: 20, storage_type: 'gp3', ...tag('db') } } } }, { region: 'us-east-1' });
    const diff = diffCost(before, after);
    // 730 × (0.032 − 0.016) = 11.68 on a before of 730 × 0.016 + 20 × 0.115 = 13.98: +83.5479… %.
    close(diff.delta, 11.68);
    close(before.monthly, 13.98, 'before');
    close(diff.deltaPercent!, (11.68 / 13.98) * 100);
    close(diff.byComponent!.db.delta, 11.68);
    assert.deepEqual(diff.lines.find((l) => l.address === 'aws_sqs_queue.gone'), { address: 'aws_sqs_queue.gone', type: 'aws_sqs_queue', before: 0, after: 0, delta: -0, usageBased: true, priced: true, inBefore: true, inAfter: false });
  });
  it('has no percentage when there was nothing before', () => {
    const after = estimateCost(app, { region: 'us-east-1' });
    const diff = diffCost(null, after);
    assert.equal(diff.deltaPercent, null);
    close(diff.delta, after.monthly);
  });
});

describe('runsPerMonth', () => {
  it('counts rate and cron expressions over a 730-hour month', () => {
    close(runsPerMonth('rate(5 minutes)')!, (730 * 60) / 5);
    close(runsPerMonth('cron(0 3 * * ? *)')!, 730 / 24);
    close(runsPerMonth('cron(0 8 ? * MON-FRI *)')!, ((730 / 24) * 5) / 7);
    close(runsPerMonth('cron(*/15 * * * ? *)')!, 4 * 24 * (730 / 24));
    assert.equal(runsPerMonth('every tuesday'), undefined);
  });
});

describe('estimateCost on planned values (ARNs instead of references)', () => {
  it('finds the task definition by family and the scaling target by service name', () => {
    const planned: TerraformJson = {
      resource: {
        aws_ecs_task_definition: { web: { family: 'shop-web', cpu: '1024', memory: '2048' } },
        aws_ecs_service: { web: { name: 'shop-web', desired_count: 1, task_definition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:7' } },
        aws_appautoscaling_target: { web: { min_capacity: 2, resource_id: 'service/main/shop-web' } },
      },
    };
    const line = estimateCost(planned, { region: 'us-east-1' }).lines.find((l) => l.address === 'aws_ecs_service.web')!;
    // 2 tasks (the scaling floor) × 730 h × (0.04048 + 2 × 0.004445) = 1460 × 0.04937.
    close(line.monthly, 72.0802);
  });
});
