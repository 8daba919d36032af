import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTerraform } from '../../src/plan/diff-terraform.ts';
import { forceNewAttributes } from '../../src/plan/force-new.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

const meta = (path: string) => ({ metadata: { path, uniqueId: path.replaceAll('/', '_') } });

function doc(resource: TerraformJson['resource'], extra: Partial<TerraformJson> = {}): TerraformJson {
  return { resource, ...extra };
}

const byAddress = (plan: ReturnType<typeof diffTerraform>, address: string) => {
  const found = plan.resources.find((r) => r.address === address);
  assert.ok(found, `${address} in plan`);
  return found;
};

describe('diffTerraform', () => {
  it('makes every resource a create when there is no last applied document', () => {
    const plan = diffTerraform(null, doc({ aws_sqs_queue: { q: { name: 'shop-tasks', '//': meta('shop/tasks/queue') } } }));
    assert.equal(plan.summary.create, 1);
    const q = byAddress(plan, 'aws_sqs_queue.q');
    assert.equal(q.action, 'create');
    assert.equal(q.component, 'tasks');
    assert.deepEqual(q.changes.map((c) => [c.path, c.after]), [['name', 'shop-tasks']]);
    assert.equal(q.changes[0].forcesReplacement, undefined, 'a create forces nothing');
  });

  it('reports update, delete, no-op and data reads, and counts them', () => {
    const before = doc(
      {
        aws_ecs_service: { web: { desired_count: 2, tags: { 'slipway:component': 'web' } } },
        aws_sqs_queue: { old: { name: 'old' } },
        aws_iam_role: { r: { name: 'role' } },
      },
      { data: { aws_vpc: { main: { tags: { Name: 'a' } } } } },
    );
    const after = doc(
      {
        aws_ecs_service: { web: { desired_count: 3, tags: { 'slipway:component': 'web' } } },
        aws_iam_role: { r: { name: 'role' } },
      },
      { data: { aws_vpc: { main: { tags: { Name: 'b' } } }, aws_region: { current: {} } } },
    );
    const plan = diffTerraform(before, after);
    assert.equal(byAddress(plan, 'aws_ecs_service.web').action, 'update');
    assert.deepEqual(byAddress(plan, 'aws_ecs_service.web').changes, [{ path: 'desired_count', before: 2, after: 3, sensitive: false }]);
    assert.equal(byAddress(plan, 'aws_sqs_queue.old').action, 'delete');
    assert.equal(byAddress(plan, 'aws_iam_role.r').action, 'no-op');
    assert.equal(byAddress(plan, 'data.aws_vpc.main').action, 'read');
    assert.equal(byAddress(plan, 'data.aws_region.current').action, 'read');
    assert.deepEqual(plan.summary, { create: 0, update: 1, replace: 0, delete: 1, 'no-op': 1, read: 2 });
  });

  it('ignores CDKTF metadata and meta-arguments when comparing', () => {
    const before = doc({ aws_sqs_queue: { q: { name: 'a', '//': meta('shop/tasks/queue'), depends_on: ['x'], lifecycle: { prevent_destroy: true } } } });
    const after = doc({ aws_sqs_queue: { q: { name: 'a', '//': meta('shop/tasks/queue-renamed'), depends_on: ['y'] } } });
    assert.equal(byAddress(diffTerraform(before, after), 'aws_sqs_queue.q').action, 'no-op');
  });

  it('gives nested changes dotted paths, through lists and JSON-text attributes', () => {
    const before = doc({ aws_lb_listener_rule: { r: { condition: [{ host_header: { values: ['a.example.com'] } }], tags: { env: 'a' } } } });
    const after = doc({ aws_lb_listener_rule: { r: { condition: [{ host_header: { values: ['b.example.com'] } }], tags: { env: 'a', team: 'x' } } } });
    const changes = byAddress(diffTerraform(before, after), 'aws_lb_listener_rule.r').changes;
    assert.deepEqual(changes.map((c) => [c.path, c.before, c.after]), [
      ['condition.0.host_header.values.0', 'a.example.com', 'b.example.com'],
      ['tags.team', undefined, 'x'],
    ]);
  });

  it('matches lists of named entries by name, so an insertion is one change', () => {
    const env = (names: string[]) => doc({ aws_ecs_task_definition: { t: { container_definitions: JSON.stringify([{ name: 'web', environment: names.map((name) => ({ name, value: name.toLowerCase() })) }]) } } });
    const t = byAddress(diffTerraform(env(['B_VAR', 'C_VAR']), env(['A_VAR', 'B_VAR', 'C_VAR'])), 'aws_ecs_task_definition.t');
    assert.deepEqual(t.changes.map((c) => [c.path, c.after]), [
      ['container_definitions.web.environment.A_VAR.name', 'A_VAR'],
      ['container_definitions.web.environment.A_VAR.value', 'a_var'],
    ]);
  });

  it('infers a replace from the force-new table and says so', () => {
    const before = doc({ aws_db_instance: { db: { engine: 'postgres', identifier: 'shop-db', instance_class: 'db.t4g.small' } } });
    const after = doc({ aws_db_instance: { db: { engine: 'postgres', identifier: 'shop-db-2', instance_class: 'db.t4g.medium' } } });
    const db = byAddress(diffTerraform(before, after), 'aws_db_instance.db');
    assert.equal(db.action, 'replace');
    assert.equal(db.replaceInferred, true);
    assert.match(db.reason ?? '', /identifier/);
    assert.equal(db.changes.find((c) => c.path === 'identifier')?.forcesReplacement, true);
    assert.equal(db.changes.find((c) => c.path === 'instance_class')?.forcesReplacement, undefined);
  });

  it('treats any change to a task definition as a replace, except tags', () => {
    const td = (image: string, tags: Record<string, string>) => doc({
      aws_ecs_task_definition: { t: { family: 'web', container_definitions: JSON.stringify([{ name: 'web', image }]), tags } },
    });
    const image = byAddress(diffTerraform(td('a:1', {}), td('a:2', {})), 'aws_ecs_task_definition.t');
    assert.equal(image.action, 'replace');
    assert.deepEqual(image.changes.map((c) => c.path), ['container_definitions.web.image'], 'named entries are matched by name');
    assert.equal(byAddress(diffTerraform(td('a:1', {}), td('a:1', { team: 'x' })), 'aws_ecs_task_definition.t').action, 'update');
  });

  it('keeps the force-new knowledge as data for the types synthesis creates', () => {
    for (const type of ['aws_db_instance', 'aws_s3_bucket', 'aws_sqs_queue', 'aws_elasticache_replication_group', 'aws_lb_target_group', 'aws_security_group', 'aws_lambda_function', 'aws_cloudwatch_log_group']) {
      assert.ok(forceNewAttributes[type]?.length, type);
    }
    assert.deepEqual(forceNewAttributes.aws_ecs_task_definition, ['*']);
    const s3 = byAddress(diffTerraform(doc({ aws_s3_bucket: { b: { bucket: 'a' } } }), doc({ aws_s3_bucket: { b: { bucket: 'b' } } })), 'aws_s3_bucket.b');
    assert.equal(s3.action, 'replace');
  });
});

describe('diffTerraform redacts sensitive values', () => {
  const secrets = ['hunter2-old-password', 'hunter2-new-password', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'pw-in-url-123', 'plain-env-secret-value'];
  const containers = (password: string, url: string) => JSON.stringify([{
    name: 'web',
    image: 'shop:1',
    environment: [
      { name: 'DB_PASSWORD', value: password },
      { name: 'DATABASE_URL', value: url },
      { name: 'STRIPE', value: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' },
      { name: 'MODE', value: 'production' },
    ],
    secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/slipway/shop/api-key' }],
  }]);
  const before = doc({
    aws_db_instance: { db: { password: 'hunter2-old-password', username: 'shop' } },
    aws_ecs_task_definition: { t: { container_definitions: containers('plain-env-secret-value', 'postgres://shop:pw-in-url-123@db:5432/shop') } },
  });
  const after = doc(
    {
      aws_db_instance: { db: { password: 'hunter2-new-password', username: 'shop' } },
      aws_ecs_task_definition: { t: { container_definitions: containers('plain-env-secret-value-2', 'postgres://shop:pw-in-url-456@db:5432/shop') } },
      aws_ssm_parameter: { p: { name: '/x', value: '${var.api_token}' } },
      aws_lambda_function: { f: { function_name: 'f', environment: { variables: { GITHUB_TOKEN: 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', LOG_LEVEL: 'info' } } } },
    },
    { variable: { api_token: { type: 'string', sensitive: true } } },
  );
  const plan = diffTerraform(before, after);
  const text = JSON.stringify(plan);

  it('never carries a secret value in the plan model', () => {
    for (const secret of [...secrets, 'plain-env-secret-value-2', 'pw-in-url-456', 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) assert.ok(!text.includes(secret), secret);
  });

  it('still reports that a sensitive value changed, as (sensitive)', () => {
    const db = byAddress(plan, 'aws_db_instance.db');
    assert.equal(db.action, 'update');
    assert.deepEqual(db.changes, [{ path: 'password', before: '(sensitive)', after: '(sensitive)', sensitive: true }]);
    assert.equal(db.after?.password, '(sensitive)');
  });

  it('keeps ordinary values and secret references readable', () => {
    const t = byAddress(plan, 'aws_ecs_task_definition.t');
    const env = (t.after?.container_definitions as { environment: { name: string; value: string }[]; secrets: { valueFrom: string }[] }[])[0];
    assert.equal(env.environment.find((e) => e.name === 'MODE')?.value, 'production');
    assert.equal(env.environment.find((e) => e.name === 'STRIPE')?.value, '(sensitive)');
    assert.match(env.secrets[0].valueFrom, /^arn:aws:ssm/);
    assert.equal(byAddress(plan, 'aws_lambda_function.f').after?.environment && (byAddress(plan, 'aws_lambda_function.f').after!.environment as { variables: Record<string, string> }).variables.LOG_LEVEL, 'info');
  });

  it('redacts values that come from sensitive variables', () => {
    assert.equal(byAddress(plan, 'aws_ssm_parameter.p').after?.value, '(sensitive)');
  });
});
