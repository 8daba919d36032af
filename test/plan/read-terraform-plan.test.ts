import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PlanInputError } from '../../src/plan/plan-input-error.ts';
import { readTerraformJson } from '../../src/plan/read-terraform-json.ts';
import { readTerraformPlan } from '../../src/plan/read-terraform-plan.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/terraform/${name}`, import.meta.url), 'utf8');

function expectError(fn: () => unknown, code: string, path: string, message: RegExp): PlanInputError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PlanInputError, `PlanInputError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.path, path);
    assert.match(error.message, message);
    return error;
  }
  assert.fail('expected a PlanInputError');
}

describe('readTerraformPlan: format 1.2 with modules, sensitive values, replace_paths and data reads', () => {
  const text = fixture('plan-1.2-modules-sensitive.json');
  const plan = readTerraformPlan(text, 'plan.json');
  const get = (address: string) => {
    const r = plan.resources.find((x) => x.address === address);
    assert.ok(r, address);
    return r;
  };

  it('maps every action, including both replace orders', () => {
    assert.equal(plan.source, 'terraform');
    assert.equal(get('module.storage.aws_s3_bucket.uploads').action, 'create');
    assert.equal(get('aws_ecs_service.web').action, 'update');
    assert.equal(get('aws_db_instance.db').action, 'replace');
    assert.equal(get('aws_lambda_function.thumbnails').action, 'replace');
    assert.equal(get('aws_sqs_queue.legacy').action, 'delete');
    assert.equal(get('aws_iam_role.task').action, 'no-op');
    assert.equal(get('module.network.data.aws_vpc.main').action, 'read');
    assert.deepEqual(plan.summary, { create: 1, update: 2, replace: 2, delete: 1, 'no-op': 1, read: 1 });
  });

  it('keeps module addresses, data mode and components', () => {
    const bucket = get('module.storage.aws_s3_bucket.uploads');
    assert.equal(bucket.module, 'module.storage');
    assert.equal(bucket.component, 'uploads');
    assert.equal(get('module.network.data.aws_vpc.main').mode, 'data');
  });

  it('reads replace_paths and action_reason; a Terraform replace is not marked inferred', () => {
    const db = get('aws_db_instance.db');
    assert.equal(db.replaceInferred, undefined);
    assert.match(db.reason ?? '', /cannot be updated in place/);
    assert.equal(db.changes.find((c) => c.path === 'identifier')?.forcesReplacement, true);
    assert.match(get('aws_sqs_queue.legacy').reason ?? '', /removed from the configuration/);
    assert.match(get('module.network.data.aws_vpc.main').reason ?? '', /not yet known/);
  });

  it('marks values known only after apply', () => {
    const created = get('module.storage.aws_s3_bucket.uploads');
    const arn = created.changes.find((c) => c.path === 'arn');
    assert.deepEqual(arn, { path: 'arn', before: undefined, after: undefined, sensitive: false, unknownAfter: true });
  });

  it('never carries a value Terraform marks sensitive, nor a secret-looking one', () => {
    const model = JSON.stringify(plan);
    for (const secret of ['correct-horse-battery-staple', 'sk_live_oldoldoldoldold1234', 'sk_live_newnewnewnewnew5678', 'sk_live_abcdefghijklmnop']) {
      assert.ok(!model.includes(secret), secret);
    }
    const version = get('aws_secretsmanager_secret_version.api[0]');
    assert.deepEqual(version.changes, [{ path: 'secret_string', before: '(sensitive)', after: '(sensitive)', sensitive: true }]);
    // An unchanged sensitive value is not a change, and is still redacted in the full object.
    assert.equal(get('aws_db_instance.db').changes.some((c) => c.path === 'password'), false);
    assert.equal(get('aws_db_instance.db').after?.password, '(sensitive)');
  });

  it('ignores fields it does not know (top level and per resource)', () => {
    assert.equal(plan.resources.length, 8);
  });
});

describe('readTerraformPlan: format 0.1', () => {
  const plan = readTerraformPlan(fixture('plan-0.1.json'), 'old.json');
  it('reads a plan without the sensitive maps or action reasons', () => {
    assert.deepEqual(plan.resources.map((r) => [r.address, r.action]), [['aws_sqs_queue.tasks', 'replace'], ['aws_cloudwatch_log_group.web', 'create']]);
    const queue = plan.resources[0];
    assert.deepEqual(queue.changes.filter((c) => !c.unknownAfter).map((c) => c.path), ['name', 'fifo_queue']);
  });
  it('accepts any 1.x version and refuses 2.0', () => {
    assert.equal(readTerraformPlan('{"format_version":"1.9","resource_changes":[]}', 'x.json').resources.length, 0);
    expectError(() => readTerraformPlan(fixture('plan-format-2.0.json'), 'f.json'), 'unsupported-format', 'format_version', /unsupported format_version "2.0"/);
  });
});

describe('readTerraformPlan: bad input', () => {
  it('names the file and the offending path for an unknown action', () => {
    const error = expectError(() => readTerraformPlan(fixture('plan-unknown-action.json'), 'fixtures/terraform/plan-unknown-action.json'), 'unknown-action', 'resource_changes[3].change.actions[0]', /unknown action "frobnicate"/);
    assert.equal(error.file, 'fixtures/terraform/plan-unknown-action.json');
    assert.equal(error.message.startsWith('fixtures/terraform/plan-unknown-action.json: resource_changes[3].change.actions[0]: unknown action "frobnicate"'), true);
  });

  it('says a truncated file is not valid JSON', () => {
    expectError(() => readTerraformPlan(fixture('plan-truncated.json'), 'cut.json'), 'invalid-json', '$', /cut\.json: not valid JSON/);
  });

  it('refuses actions that do not combine, empty actions, and missing fields', () => {
    const plan = (change: unknown, extra: object = {}) => JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'a.b', type: 'a', name: 'b', change, ...extra }] });
    expectError(() => readTerraformPlan(plan({ actions: ['update', 'create'] }), 'p'), 'unknown-action', 'resource_changes[0].change.actions', /combination/);
    expectError(() => readTerraformPlan(plan({ actions: [] }), 'p'), 'invalid-field', 'resource_changes[0].change.actions', /non-empty/);
    expectError(() => readTerraformPlan(plan({ actions: ['create'], after: 'x' }), 'p'), 'invalid-field', 'resource_changes[0].change.after', /object or null/);
    expectError(() => readTerraformPlan(plan({ actions: ['create'] }, { mode: 'weird' }), 'p'), 'invalid-field', 'resource_changes[0].mode', /unknown mode/);
    expectError(() => readTerraformPlan('{"format_version":"1.0","resource_changes":{}}', 'p'), 'invalid-field', 'resource_changes', /array/);
    expectError(() => readTerraformPlan('[]', 'p'), 'not-an-object', '$', /terraform show -json/);
    expectError(() => readTerraformPlan('{}', 'p'), 'invalid-field', 'format_version', /missing/);
  });
});

describe('readTerraformJson', () => {
  it('reads a saved Terraform JSON document', () => {
    const doc = readTerraformJson(fixture('shop-production-applied.tf.json'), 'applied.json');
    assert.ok(Object.keys(doc.resource ?? {}).includes('aws_db_instance'));
  });
  it('locates malformed documents and tells a plan from a configuration', () => {
    expectError(() => readTerraformJson('{"resource": {"aws_s3_bucket": {"b": 3}}}', 'x.json'), 'invalid-field', 'resource.aws_s3_bucket.b', /attributes/);
    expectError(() => readTerraformJson(fixture('plan-0.1.json'), 'x.json'), 'invalid-field', '$', /--terraform-plan/);
    expectError(() => readTerraformJson('{"resource": ', 'x.json'), 'invalid-json', '$', /not valid JSON/);
  });
});
