import test from 'node:test';
import assert from 'node:assert/strict';
import { synthesize } from '../../src/synth/synthesize.ts';
import { microservicesDemoInput, resolved } from './example-configs.ts';
import { blocks, containers, only } from './helpers.ts';

const doc = synthesize(resolved(microservicesDemoInput), { sha: 'abc123' });

test('a web service runs its image at the commit on Fargate with the requested cpu and memory', () => {
  const task = only(doc, 'aws_ecs_task_definition', 'web');
  assert.equal(task.cpu, '512');
  assert.equal(task.memory, '1024');
  assert.deepEqual(task.requires_compatibilities, ['FARGATE']);
  assert.equal(task.network_mode, 'awsvpc');
  const [container] = containers(task);
  assert.equal(container.image, 'ghcr.io/acme/shop:abc123');
  assert.deepEqual(container.command, ['node', 'server.js']);
  assert.deepEqual(container.portMappings, [{ containerPort: 8080, protocol: 'tcp' }]);
  assert.equal(container.logConfiguration.options['awslogs-group'], '${aws_cloudwatch_log_group.web_log-group_A46ADC8B.name}');
});

test('env values are copied, references resolve to resource attributes, and secrets are ARNs only', () => {
  const [container] = containers(only(doc, 'aws_ecs_task_definition', 'web'));
  const env = Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(env.NODE_ENV, 'production');
  assert.match(env.DATABASE_URL, /^postgresql:\/\/slipway@\$\{aws_db_instance\.db_instance_[\w-]+\.address\}:5432\/shop\?sslmode=require$/);
  assert.match(env.REDIS_URL, /^rediss:\/\/\$\{aws_elasticache_replication_group\.cache_replication-group_[\w-]+\.primary_endpoint_address\}:6379$/);
  assert.match(env.TASKS_URL, /^\$\{aws_sqs_queue\.tasks_queue_[\w-]+\.url\}$/);
  const secrets = Object.fromEntries(container.secrets.map((s: { name: string; valueFrom: string }) => [s.name, s.valueFrom]));
  assert.match(secrets.STRIPE_KEY, /^arn:aws:ssm:us-east-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:parameter\/slipway\/shop\/stripe-key$/);
  assert.match(secrets.DB_PASSWORD, /^\$\{aws_db_instance\.db_instance_[\w-]+\.master_user_secret\[0\]\.secret_arn\}:password::$/);
  assert.equal(secrets.PGPASSWORD, secrets.DB_PASSWORD, 'a postgres url brings PGPASSWORD with it');
  assert.equal(env.STRIPE_KEY, undefined);
});

test('the execution role may read exactly the referenced secrets; the task role may use the referenced queue', () => {
  const policies = blocks(doc, 'aws_iam_role_policy', 'web').map((p) => ({ name: p.name, doc: JSON.parse(String(p.policy)) }));
  const secrets = policies.find((p) => p.name === 'read-secrets')!.doc.Statement;
  assert.deepEqual(secrets.map((s: { Action: string[] }) => s.Action[0]).sort(), ['secretsmanager:GetSecretValue', 'ssm:GetParameters']);
  const ssm = secrets.find((s: { Action: string[] }) => s.Action[0] === 'ssm:GetParameters');
  assert.match(ssm.Resource[0], /parameter\/slipway\/shop\/stripe-key$/);
  const access = policies.find((p) => p.name === 'access')!.doc.Statement;
  assert.deepEqual(access[0].Action, ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes']);
});

test('the service starts at the minimum count behind a target group that checks the health path', () => {
  const service = only(doc, 'aws_ecs_service', 'web');
  assert.equal(service.desired_count, 2);
  assert.equal(service.launch_type, 'FARGATE');
  assert.equal(service.health_check_grace_period_seconds, 30);
  assert.deepEqual((service.lifecycle as { ignore_changes: string[] }).ignore_changes, ['desired_count']);
  assert.deepEqual(service.deployment_circuit_breaker, { enable: true, rollback: true });
  assert.equal((service.network_configuration as { assign_public_ip: boolean }).assign_public_ip, false);
  const group = only(doc, 'aws_lb_target_group', 'web');
  assert.equal(group.port, 8080);
  assert.equal(group.target_type, 'ip');
  assert.deepEqual(group.health_check, { path: '/healthz', interval: 10, timeout: 5, healthy_threshold: 3, unhealthy_threshold: 3, matcher: '200-399' });
  assert.ok((group.name as string).length <= 32);
});

test('a host-header rule on the shared HTTPS listener routes the domains to the service', () => {
  const rule = only(doc, 'aws_lb_listener_rule', 'web');
  assert.deepEqual(rule.condition, [{ host_header: { values: ['shop.example.com'] } }]);
  assert.match(String(rule.listener_arn), /^\$\{data\.aws_lb_listener\.[\w-]+\.arn\}$/);
  assert.ok(Number(rule.priority) >= 1 && Number(rule.priority) <= 50_000);
});

test('only the load balancer security group may reach the container port', () => {
  const ingress = blocks(doc, 'aws_vpc_security_group_ingress_rule', 'web');
  assert.equal(ingress.length, 1);
  assert.equal(ingress[0].from_port, 8080);
  assert.equal(ingress[0].to_port, 8080);
  assert.match(String(ingress[0].referenced_security_group_id), /^\$\{data\.aws_security_group\.[\w-]+\.id\}$/);
  assert.equal(ingress[0].cidr_ipv4, undefined);
});

test('auto scaling tracks cpu, memory and requests per target and applies the schedule floors', () => {
  const target = only(doc, 'aws_appautoscaling_target', 'web');
  assert.equal(target.min_capacity, 2);
  assert.equal(target.max_capacity, 10);
  const policies = Object.fromEntries(
    blocks(doc, 'aws_appautoscaling_policy')
      .filter((p) => String(p.name).startsWith('shop-production-web-'))
      .map((p) => [p.name, p.target_tracking_scaling_policy_configuration as Record<string, any>]),
  );
  assert.equal(policies['shop-production-web-cpu'].target_value, 60);
  assert.equal(policies['shop-production-web-cpu'].predefined_metric_specification.predefined_metric_type, 'ECSServiceAverageCPUUtilization');
  assert.equal(policies['shop-production-web-memory'].target_value, 75);
  const requests = policies['shop-production-web-requests'];
  assert.equal(requests.target_value, 500);
  assert.equal(requests.predefined_metric_specification.predefined_metric_type, 'ALBRequestCountPerTarget');
  assert.match(requests.predefined_metric_specification.resource_label, /^\$\{data\.aws_lb\.[\w-]+\.arn_suffix\}\/\$\{aws_lb_target_group\.[\w-]+\.arn_suffix\}$/);
  const actions = blocks(doc, 'aws_appautoscaling_scheduled_action').map((a) => [a.schedule, a.scalable_target_action]);
  assert.deepEqual(actions, [
    ['cron(0 8 ? * MON-FRI *)', { min_capacity: '4', max_capacity: '10' }],
    ['cron(0 20 * * ? *)', { min_capacity: '2', max_capacity: '10' }],
  ]);
});

test('a fixed instance count gets no scaling resources, and desired_count stays managed', () => {
  const fixed = synthesize(resolved({ version: 1, name: 'one', services: { api: { type: 'web', image: 'nginx', instances: 3 } } }));
  assert.equal(blocks(fixed, 'aws_appautoscaling_target').length, 0);
  const service = only(fixed, 'aws_ecs_service', 'api');
  assert.equal(service.desired_count, 3);
  assert.equal(service.lifecycle, undefined);
  assert.deepEqual(only(fixed, 'aws_lb_listener_rule', 'api').condition, [{ host_header: { values: ['api.one.production.slipway.internal'] } }]);
});

test('more than five domains are split over several listener rules with distinct priorities', () => {
  const domains = Array.from({ length: 7 }, (_, i) => `d${i}.example.com`);
  const many = synthesize(resolved({ version: 1, name: 'many', services: { web: { type: 'web', image: 'nginx', domains } } }));
  const rules = blocks(many, 'aws_lb_listener_rule', 'web');
  assert.deepEqual(rules.map((r) => (r.condition as { host_header: { values: string[] } }[])[0].host_header.values.length), [5, 2]);
  assert.notEqual(rules[0].priority, rules[1].priority);
});

test('a tag key that looks like a Terraform expression is escaped like a value, never left half-escaped', () => {
  const doc = synthesize(resolved({ version: 1, name: 'keys', tags: { '${file("/etc/passwd")}': 'v', '%{if true}x': 'w', plain: '${y}' }, services: { web: { type: 'web', image: 'nginx' } } }));
  const tags = (doc.provider!.aws[0].default_tags as { tags: Record<string, string> }[])[0].tags;
  assert.deepEqual(Object.keys(tags).filter((key) => !key.startsWith('slipway:')).sort(), ['$${file("/etc/passwd")}', '%%{if true}x', 'plain']);
  assert.equal(tags['$${file("/etc/passwd")}'], 'v');
  assert.equal(tags.plain, '$${y}');
  const text = JSON.stringify(doc);
  assert.doesNotMatch(text, /[\uE000\uE001]/, 'no escape placeholder is left in the document');
  assert.ok(text.includes('"$${file(\\"/etc/passwd\\")}":"v"'), 'the literal key is in the JSON text');
});

test('user text that looks like a Terraform expression is escaped, not evaluated', () => {
  const sneaky = synthesize(
    resolved({ version: 1, name: 'sneaky', services: { web: { type: 'web', image: 'nginx', env: { X: '${aws_iam_role.admin.arn}' }, command: ['echo', '%{if true}'] } } }),
  );
  const [container] = containers(only(sneaky, 'aws_ecs_task_definition', 'web'));
  assert.equal(container.environment[0].value, '$${aws_iam_role.admin.arn}');
  assert.deepEqual(container.command, ['echo', '%%{if true}']);
  const reader = synthesize(
    resolved({
      version: 1,
      name: 'reader',
      tags: { owner: '${file("/etc/passwd")}' },
      services: { web: { type: 'web', image: 'nginx:${sha}', health: { path: '/${file("/etc/shadow")}' } } },
    }),
    { sha: '${path.cwd}' },
  );
  assert.equal((reader.provider!.aws[0].default_tags as { tags: Record<string, string> }[])[0].tags.owner, '$${file("/etc/passwd")}');
  assert.equal((only(reader, 'aws_lb_target_group', 'web').health_check as { path: string }).path, '/$${file("/etc/shadow")}');
  assert.equal(containers(only(reader, 'aws_ecs_task_definition', 'web'))[0].image, 'nginx:$${path.cwd}');
});
