/**
 * Every pricer of the estimate, with figures worked out by hand from the us-east-1 list prices
 * transcribed in src/cost/prices/us-east-1.ts (AWS's pricing pages, 2025-06) and a 730-hour month.
 * Nothing here is read back from the price tables under test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateCost, UnknownRegionError } from '../../src/cost/estimate-cost.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

type Usage = Record<string, Record<string, number>>;
const near = (actual: number, expected: number, label = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${label} ${actual} ≠ ${expected}`);

function price(resource: TerraformJson['resource'], usage?: Usage, address?: string) {
  const estimate = estimateCost({ resource }, { region: 'us-east-1', ...(usage ? { usage } : {}) });
  const line = address ? estimate.lines.find((l) => l.address === address)! : estimate.lines[0]!;
  assert.ok(line, address);
  return { line, estimate };
}

describe('load balancers and NAT', () => {
  it('prices an application load balancer by the hour, and its LCUs when given', () => {
    near(price({ aws_lb: { web: {} } }).line.monthly, 16.425, '730 × 0.0225');
    assert.equal(price({ aws_lb: { web: {} } }).line.usageBased, true, 'LCUs depend on usage');
    // + 2 LCU × 730 × 0.008 = 11.68
    near(price({ aws_lb: { web: { load_balancer_type: 'application' } } }, { '*': { lcu: 2 } }).line.monthly, 28.105);
    near(price({ aws_alb: { web: {} } }, { '*': { lcu: 2 } }).line.monthly, 28.105, 'aws_alb is the same');
    assert.deepEqual(price({ aws_lb: { web: {} } }).line.components.map((c) => c.name), ['ALB hours', 'ALB capacity units (LCU)']);
  });

  it('prices a network load balancer at its own capacity-unit rate', () => {
    // 730 × 0.0225 + 1 NLCU × 730 × 0.006 = 16.425 + 4.38
    const { line } = price({ aws_lb: { nlb: { load_balancer_type: 'network' } } }, { '*': { lcu: 1 } });
    near(line.monthly, 20.805);
    assert.deepEqual(line.components.map((c) => c.name), ['NLB hours', 'NLB capacity units']);
  });

  it('prices a NAT gateway by the hour and by the data it processes', () => {
    near(price({ aws_nat_gateway: { nat: {} } }).line.monthly, 32.85, '730 × 0.045');
    near(price({ aws_nat_gateway: { nat: {} } }, { '*': { dataGb: 100 } }).line.monthly, 37.35, '+ 100 GB × 0.045');
  });
});

describe('usage-priced storage and requests', () => {
  it('prices S3 storage, GETs per 1,000 and PUTs per 1,000', () => {
    // 100 GB × 0.023 + 1,000,000 GETs / 1,000 × 0.0004 + 200,000 PUTs / 1,000 × 0.005
    const { line } = price({ aws_s3_bucket: { b: {} } }, { '*': { storageGb: 100, requestsPerMonth: 1_000_000, writesPerMonth: 200_000 } });
    assert.deepEqual(line.components.map((c) => [c.name, c.quantity]), [['S3 Standard storage', 100], ['S3 GET requests', 1000], ['S3 PUT requests', 200]]);
    near(line.monthly, 2.3 + 0.4 + 1.0);
    assert.equal(line.usageBased, false);
  });

  it('prices CloudFront data out and HTTPS requests per 10,000', () => {
    // 50 GB × 0.085 + 2,000,000 / 10,000 × 0.01
    near(price({ aws_cloudfront_distribution: { cdn: {} } }, { '*': { dataGb: 50, requestsPerMonth: 2_000_000 } }).line.monthly, 4.25 + 2.0);
  });

  it('prices a FIFO queue at the FIFO rate', () => {
    // 3 million × 0.50 (standard would be × 0.40 = 1.2)
    const { line } = price({ aws_sqs_queue: { q: { fifo_queue: true } } }, { '*': { requestsPerMonth: 3_000_000 } });
    near(line.monthly, 1.5);
    assert.equal(line.components[0]!.name, 'SQS FIFO requests');
  });

  it('prices a log group by what it ingests and, kept for its retention, stores', () => {
    // 10 GB × 0.50 ingested; stored in steady state: 10 GB × 30 days / (730/24 days) = 9.8630… GB × 0.03
    near(price({ aws_cloudwatch_log_group: { l: { retention_in_days: 30 } } }, { '*': { logIngestGb: 10 } }).line.monthly, 5 + (7200 / 730) * 0.03);
    // An explicit stored size wins: 20 GB × 0.03
    near(price({ aws_cloudwatch_log_group: { l: { retention_in_days: 30 } } }, { '*': { logIngestGb: 10, storageGb: 20 } }).line.monthly, 5 + 0.6);
    // Kept forever: what is stored depends on history, so it is unknown, not zero.
    const forever = price({ aws_cloudwatch_log_group: { l: { retention_in_days: 0 } } }, { '*': { logIngestGb: 10 } }).line;
    near(forever.monthly, 5);
    assert.equal(forever.usageBased, true);
  });

  it('prices on-demand DynamoDB writes, reads and storage, and leaves provisioned capacity unpriced', () => {
    // 2M writes × 0.625 + 4M reads × 0.125 + 10 GB × 0.25
    near(price({ aws_dynamodb_table: { t: { billing_mode: 'PAY_PER_REQUEST' } } }, { '*': { writesPerMonth: 2_000_000, requestsPerMonth: 4_000_000, storageGb: 10 } }).line.monthly, 1.25 + 0.5 + 2.5);
    const provisioned = price({ aws_dynamodb_table: { t: { billing_mode: 'PROVISIONED' } } });
    assert.deepEqual([provisioned.line.priced, provisioned.estimate.unpriced], [false, ['aws_dynamodb_table.t']]);
  });

  it('prices EFS and ECR storage', () => {
    near(price({ aws_efs_file_system: { f: {} } }, { '*': { storageGb: 10 } }).line.monthly, 3, '10 GB × 0.30');
    near(price({ aws_ecr_repository: { r: {} } }, { '*': { storageGb: 5 } }).line.monthly, 0.5, '5 GB × 0.10');
  });
});

describe('fixed monthly charges', () => {
  it('prices an alarm, a key, a hosted zone and a secret per month', () => {
    near(price({ aws_cloudwatch_metric_alarm: { a: {} } }).line.monthly, 0.1);
    near(price({ aws_kms_key: { k: {} } }).line.monthly, 1.0);
    near(price({ aws_route53_zone: { z: {} } }).line.monthly, 0.5);
    // 0.40 a secret + 100,000 API calls / 10,000 × 0.05
    near(price({ aws_secretsmanager_secret: { s: {} } }, { '*': { requestsPerMonth: 100_000 } }).line.monthly, 0.9);
  });
});

describe('caches and databases', () => {
  it('prices ElastiCache clusters and replication groups per node', () => {
    near(price({ aws_elasticache_cluster: { c: { node_type: 'cache.t3.small', num_cache_nodes: 3 } } }).line.monthly, 3 * 730 * 0.034);
    near(price({ aws_elasticache_cluster: { c: { node_type: 'cache.t3.small' } } }).line.monthly, 730 * 0.034, 'one node by default');
    // 2 shards × (1 primary + 1 replica) = 4 nodes × 730 × 0.032
    near(price({ aws_elasticache_replication_group: { g: { node_type: 'cache.t4g.small', num_node_groups: 2, replicas_per_node_group: 1 } } }).line.monthly, 93.44);
    near(price({ aws_elasticache_replication_group: { g: { node_type: 'cache.t4g.small' } } }).line.monthly, 23.36, 'one node by default');
    const unknown = price({ aws_elasticache_cluster: { c: { node_type: 'cache.x9.huge' } } });
    assert.deepEqual([unknown.line.priced, unknown.line.monthly], [false, 0]);
    assert.match(unknown.line.note ?? '', /node type cache\.x9\.huge/);
  });

  it('prices provisioned-IOPS RDS storage at the io1 rate, and storage as 20 GB when unset', () => {
    // 730 × 0.032 + 100 GB × 0.125
    near(price({ aws_db_instance: { d: { instance_class: 'db.t4g.small', storage_type: 'io1', allocated_storage: 100 } } }).line.monthly, 23.36 + 12.5);
    near(price({ aws_db_instance: { d: { instance_class: 'db.t4g.small', storage_type: 'io2', allocated_storage: 100 } } }).line.monthly, 23.36 + 12.5);
    near(price({ aws_db_instance: { d: { instance_class: 'db.t4g.small' } } }).line.monthly, 23.36 + 20 * 0.115);
    near(price({ aws_db_instance: { d: { instance_class: 'db.t4g.small', allocated_storage: '50' } } }).line.monthly, 23.36 + 50 * 0.115, 'a number written as text');
  });
});

describe('functions, schedules and services', () => {
  it('prices an ARM Lambda at the Graviton rate', () => {
    // 1M requests × 0.1 s × 1 GB = 100,000 GB-s × 0.0000133334 + 1 × 0.20
    const { line } = price({ aws_lambda_function: { f: { memory_size: 1024, architectures: ['arm64'] } } }, { '*': { requestsPerMonth: 1_000_000, durationMs: 100 } });
    near(line.monthly, 1.33334 + 0.2);
    assert.equal(line.components[1]!.name, 'Lambda compute (1024 MB, ARM)');
    // The default 128 MB on x86: 100,000 × 0.125 GB-s × 0.0000166667 + 0.20
    near(price({ aws_lambda_function: { f: {} } }, { '*': { requestsPerMonth: 1_000_000, durationMs: 100 } }).line.monthly, 12_500 * 0.0000166667 + 0.2);
  });

  it('prices a schedule by its invocations, and the Fargate task it runs by run time', () => {
    const resource = {
      aws_ecs_task_definition: { job: { cpu: '256', memory: '512' } },
      aws_scheduler_schedule: { s: { schedule_expression: 'rate(5 minutes)', target: [{ ecs_parameters: [{ task_definition_arn: '${aws_ecs_task_definition.job.arn}' }] }] } },
    };
    // 8,760 runs (730 × 12) / 1M × $1.00; 8,760 × 60 s = 146 task-hours × (0.25 × 0.04048 + 0.5 × 0.004445)
    const { line } = price(resource, { '*': { durationMs: 60_000 } }, 'aws_scheduler_schedule.s');
    near(line.monthly, 0.00876 + 146 * 0.25 * 0.04048 + 146 * 0.5 * 0.004445);
    assert.equal(line.note, '8760 runs/month (rate(5 minutes))');
    const noDuration = price(resource, undefined, 'aws_scheduler_schedule.s').line;
    near(noDuration.monthly, 0.00876);
    assert.equal(noDuration.usageBased, true);
    assert.equal(noDuration.note, '8760 runs/month (rate(5 minutes)); task run time depends on usage');
  });

  it('says when a schedule or its task cannot be read', () => {
    const unreadable = price({ aws_scheduler_schedule: { s: { schedule_expression: 'every tuesday' } } }).line;
    assert.deepEqual([unreadable.monthly, unreadable.usageBased, unreadable.note], [0, true, 'schedule "every tuesday" could not be read']);
    const noTask = price({ aws_scheduler_schedule: { s: { schedule_expression: 'rate(1 hour)', target: { ecs_parameters: { task_definition_arn: '${aws_ecs_task_definition.gone.arn}' } } } } }).line;
    assert.equal(noTask.note, '730 runs/month (rate(1 hour)); task size unknown');
    assert.equal(noTask.usageBased, true);
  });

  it('says how many tasks a service is priced for, and why', () => {
    const task = { aws_ecs_task_definition: { t: { cpu: 1024, memory: 2048 } } };
    const one = price({ ...task, aws_ecs_service: { s: { task_definition: '${aws_ecs_task_definition.t.arn}', desired_count: 1 } } }, undefined, 'aws_ecs_service.s').line;
    assert.equal(one.note, '1 task (desired_count) × 730 h');
    near(one.monthly, 730 * (0.04048 + 2 * 0.004445));
    const two = price({ ...task, aws_ecs_service: { s: { task_definition: '${aws_ecs_task_definition.t.arn}', desired_count: '2' } } }, undefined, 'aws_ecs_service.s').line;
    assert.equal(two.note, '2 tasks (desired_count) × 730 h');
    const none = price({ ...task, aws_ecs_service: { s: { task_definition: '${aws_ecs_task_definition.t.arn}' } } }, undefined, 'aws_ecs_service.s').line;
    assert.deepEqual([none.monthly, none.note], [0, 'no desired_count: 0 tasks assumed']);
    const unknown = price({ aws_ecs_service: { s: { task_definition: 'arn:aws:ecs:us-east-1:1:task-definition/elsewhere:3', desired_count: 2 } } }).line;
    assert.deepEqual([unknown.usageBased, unknown.note], [true, 'task size unknown: its task definition is not in this document']);
    const scaled = price({
      ...task,
      aws_ecs_service: { s: { name: 'shop-web', task_definition: '${aws_ecs_task_definition.t.arn}', desired_count: 1 } },
      aws_appautoscaling_target: { other: { resource_id: 'service/main/shop-worker', min_capacity: 9 }, t: { resource_id: 'service/main/shop-web', min_capacity: 3 } },
    }, undefined, 'aws_ecs_service.s').line;
    assert.equal(scaled.note, '3 tasks (autoscaling minimum (aws_appautoscaling_target.t)) × 730 h');
  });

  it('ignores a scaling target without a minimum, and one naming another service', () => {
    const task = { aws_ecs_task_definition: { t: { cpu: 1024, memory: 2048 } } };
    const line = price({
      ...task,
      aws_ecs_service: { s: { name: '${var.name}', task_definition: '${aws_ecs_task_definition.t.arn}', desired_count: 2 } },
      aws_appautoscaling_target: { a: { resource_id: 'service/main/${aws_ecs_service.s.name}' }, b: { resource_id: 'service/main/${var.name}', min_capacity: 5 } },
    }, undefined, 'aws_ecs_service.s').line;
    assert.equal(line.note, '2 tasks (desired_count) × 730 h');
  });
});

describe('the estimate as a whole', () => {
  it('sums lines without a component under (shared), and prices free types at zero on purpose', () => {
    const { estimate } = price({ aws_kms_key: { k: {} }, aws_route53_zone: { z: { tags: { 'slipway:component': 'web' } } }, aws_iam_role: { r: {} } });
    assert.deepEqual(estimate.byComponent, { '(shared)': 1, web: 0.5 });
    assert.equal(estimate.currency, 'USD');
    const role = estimate.lines.find((l) => l.type === 'aws_iam_role')!;
    assert.deepEqual([role.priced, role.monthly, role.note], [true, 0, 'no charge of its own']);
  });

  it('names the unknown region and the regions it has prices for', () => {
    assert.throws(() => estimateCost(null, { region: 'mars-north-1' }), (e: unknown) =>
      e instanceof UnknownRegionError && e.code === 'unknown-region' && e.name === 'UnknownRegionError' &&
      e.message === 'no price table for region mars-north-1 (priced: us-east-1, us-west-2, eu-west-1, eu-central-1)');
  });

  it('applies usage by default, then by component, then by address', () => {
    const resource = { aws_sqs_queue: { a: { tags: { 'slipway:component': 'jobs' } }, b: { tags: { 'slipway:component': 'jobs' } }, c: {} } };
    const { estimate } = price(resource, { '*': { requestsPerMonth: 1_000_000 }, jobs: { requestsPerMonth: 2_000_000 }, 'aws_sqs_queue.b': { requestsPerMonth: 3_000_000 } });
    assert.deepEqual(estimate.lines.map((l) => [l.address, Math.round(l.monthly * 100) / 100]), [['aws_sqs_queue.a', 0.8], ['aws_sqs_queue.b', 1.2], ['aws_sqs_queue.c', 0.4]]);
  });
});
