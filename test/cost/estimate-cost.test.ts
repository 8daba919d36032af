import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCost } from '../../src/cost/diff-cost.ts';
import { estimateCost, UnknownRegionError } from '../../src/cost/estimate-cost.ts';
import { hoursPerMonth, priceTables } from '../../src/cost/prices/index.ts';
import { runsPerMonth } from '../../src/cost/runs-per-month.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

const close = (actual: number, expected: number, label = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${label} ${actual} ≠ ${expected}`);
const east = priceTables['us-east-1'];
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
    const expected = 3 * hoursPerMonth * (0.5 * east.fargate.vcpuHour.usd + 1 * east.fargate.gbHour.usd);
    close(line('aws_ecs_service.web').monthly, expected, 'web');
    // ARM tasks use the Graviton rates: 1 task × 1 vCPU and 2 GB.
    close(line('aws_ecs_service.arm').monthly, hoursPerMonth * (east.fargate.vcpuHourArm.usd + 2 * east.fargate.gbHourArm.usd), 'arm');
  });

  it('prices RDS instance hours and storage, doubled for Multi-AZ', () => {
    close(line('aws_db_instance.single').monthly, hoursPerMonth * east.rds.instance['db.t4g.small'].usd + 20 * east.rds.gp3GbMonth.usd);
    close(line('aws_db_instance.ha').monthly, 2 * (hoursPerMonth * east.rds.instance['db.m7g.large'].usd + 100 * east.rds.gp3GbMonth.usd));
  });

  it('prices ElastiCache per node', () => {
    close(line('aws_elasticache_replication_group.cache').monthly, 2 * hoursPerMonth * east.elasticache.node['cache.t4g.micro'].usd);
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
    close(get('aws_sqs_queue.tasks').monthly, 5 * east.sqs.standardPerMillion.usd);
    // 2M requests × 0.3 s × 0.5 GB = 300,000 GB-s; plus 2M requests at the per-million rate.
    close(get('aws_lambda_function.thumbs').monthly, 300_000 * east.lambda.gbSecond.usd + 2 * east.lambda.requests.usd);
    assert.equal(get('aws_lambda_function.thumbs').usageBased, false);
  });

  it('sums per component and in total', () => {
    const sum = estimate.lines.reduce((s, l) => s + l.monthly, 0);
    close(estimate.monthly, sum);
    close(estimate.byComponent.db, line('aws_db_instance.single').monthly + line('aws_db_instance.ha').monthly);
  });

  it('uses the region\'s table and refuses a region it has no prices for', () => {
    const frankfurt = estimateCost(app, { region: 'eu-central-1' });
    const f = priceTables['eu-central-1'].fargate;
    close(frankfurt.lines.find((l) => l.address === 'aws_ecs_service.web')!.monthly, 3 * hoursPerMonth * (0.5 * f.vcpuHour.usd + f.gbHour.usd));
    assert.throws(() => estimateCost(app, { region: 'ap-south-2' }), UnknownRegionError);
  });
});

describe('diffCost', () => {
  it('gives the change per resource, per component and in total', () => {
    const before = estimateCost({ resource: { aws_db_instance: { db: { instance_class: 'db.t4g.micro', allocated_storage: 20, storage_type: 'gp3', ...tag('db') } }, aws_sqs_queue: { gone: {} } } }, { region: 'us-east-1' });
    const after = estimateCost({ resource: { aws_db_instance: { db: { instance_class: 'db.t4g.small', allocated_storage: 20, storage_type: 'gp3', ...tag('db') } } } }, { region: 'us-east-1' });
    const diff = diffCost(before, after);
    const delta = hoursPerMonth * (east.rds.instance['db.t4g.small'].usd - east.rds.instance['db.t4g.micro'].usd);
    close(diff.delta, delta);
    close(diff.deltaPercent!, (delta / before.monthly) * 100);
    close(diff.byComponent!.db.delta, delta);
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
    // 2 tasks (the scaling floor) × (1 vCPU + 2 GB) × 730 h.
    close(line.monthly, 2 * hoursPerMonth * (east.fargate.vcpuHour.usd + 2 * east.fargate.gbHour.usd));
  });
});
