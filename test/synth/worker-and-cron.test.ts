import test from 'node:test';
import assert from 'node:assert/strict';
import { synthesize } from '../../src/synth/synthesize.ts';
import { aiPipelineInput, microservicesDemoInput, resolved } from './example-configs.ts';
import { blocks, containers, only } from './helpers.ts';

const doc = synthesize(resolved(microservicesDemoInput), { sha: 'abc123' });

test('a queue worker scales on visible messages per running task, from min to max', () => {
  const target = only(doc, 'aws_appautoscaling_target', 'jobs');
  assert.equal(target.min_capacity, 1);
  assert.equal(target.max_capacity, 20);
  const [policy] = blocks(doc, 'aws_appautoscaling_policy').filter((p) => p.name === 'shop-production-jobs-backlog');
  const config = policy.target_tracking_scaling_policy_configuration as Record<string, any>;
  assert.equal(config.target_value, 100);
  const metrics = config.customized_metric_specification.metrics;
  assert.equal(metrics[0].metric_stat.metric.metric_name, 'ApproximateNumberOfMessagesVisible');
  assert.match(metrics[0].metric_stat.metric.dimensions[0].value, /^\$\{aws_sqs_queue\.tasks_queue_[\w-]+\.name\}$/);
  assert.equal(metrics[1].metric_stat.metric.metric_name, 'RunningTaskCount');
  assert.equal(metrics[2].expression, 'IF(tasks > 0, visible / tasks, visible)');
  assert.equal(metrics[2].return_data, true);
});

test('a worker may consume its queue and knows its URL, and gets no load balancer', () => {
  const access = JSON.parse(String(blocks(doc, 'aws_iam_role_policy', 'jobs').find((p) => p.name === 'access')!.policy)).Statement;
  const actions = access.flatMap((s: { Action: string[] }) => s.Action);
  assert.ok(actions.includes('sqs:ReceiveMessage') && actions.includes('sqs:DeleteMessage'));
  const [container] = containers(only(doc, 'aws_ecs_task_definition', 'jobs'));
  assert.ok(container.environment.some((e: { name: string }) => e.name === 'SLIPWAY_QUEUE_URL'));
  assert.equal(container.portMappings, undefined);
  assert.equal(only(doc, 'aws_ecs_service', 'jobs').load_balancer, undefined);
  assert.equal(blocks(doc, 'aws_vpc_security_group_ingress_rule', 'jobs').length, 0);
});

test('a cron job is an EventBridge Scheduler schedule running one Fargate task with a narrow role', () => {
  const schedule = only(doc, 'aws_scheduler_schedule', 'nightly') as Record<string, any>;
  assert.equal(schedule.schedule_expression, 'cron(0 3 * * ? *)');
  assert.equal(schedule.schedule_expression_timezone, 'Etc/UTC');
  assert.equal(schedule.target.ecs_parameters.launch_type, 'FARGATE');
  assert.equal(schedule.target.ecs_parameters.task_count, 1);
  assert.match(schedule.target.ecs_parameters.task_definition_arn, /^\$\{aws_ecs_task_definition\.nightly_task-definition_[\w-]+\.arn\}$/);
  assert.match(schedule.target.role_arn, /^\$\{aws_iam_role\.nightly_scheduler-role_[\w-]+\.arn\}$/);
  const role = blocks(doc, 'aws_iam_role', 'nightly').find((r) => String(r.name).endsWith('-sched'))!;
  assert.equal(JSON.parse(String(role.assume_role_policy)).Statement[0].Principal.Service, 'scheduler.amazonaws.com');
  const policy = JSON.parse(String(blocks(doc, 'aws_iam_role_policy', 'nightly').find((p) => p.name === 'run-task')!.policy)).Statement;
  assert.deepEqual(policy.map((s: { Action: string[] }) => s.Action[0]), ['ecs:RunTask', 'iam:PassRole']);
  const [container] = containers(only(doc, 'aws_ecs_task_definition', 'nightly'));
  assert.deepEqual(container.environment, [{ name: 'SLIPWAY_TIMEOUT_SECONDS', value: '1800' }]);
});

test('every container of the app may reach the database and the cache on their ports, nothing else may', () => {
  for (const [component, port] of [['db', 5432], ['cache', 6379]] as const) {
    const rules = blocks(doc, 'aws_vpc_security_group_ingress_rule', component);
    assert.deepEqual(rules.map((r) => r.description).sort(), ['from jobs', 'from nightly', 'from web']);
    for (const rule of rules) {
      assert.equal(rule.from_port, port);
      assert.equal(rule.cidr_ipv4, undefined);
    }
    assert.equal(blocks(doc, 'aws_vpc_security_group_egress_rule', component).length, 0);
  }
});

test('a large batch job built from a Dockerfile gets an ECR repository and its image tagged with the commit', () => {
  const ai = synthesize(resolved(aiPipelineInput), { sha: 'f00d' });
  const task = only(ai, 'aws_ecs_task_definition', 'train');
  assert.equal(task.cpu, '4096');
  assert.equal(task.memory, '16384');
  const [container] = containers(task);
  assert.match(container.image, /^\$\{aws_ecr_repository\.train_repository_[\w-]+\.repository_url\}:f00d$/);
  const repository = only(ai, 'aws_ecr_repository', 'train');
  assert.equal(repository.image_tag_mutability, 'IMMUTABLE');
  assert.equal((only(ai, 'aws_scheduler_schedule', 'train') as Record<string, string>).schedule_expression, 'cron(0 2 ? * SUN *)');
});
