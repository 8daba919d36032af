/**
 * The Terraform-JSON diff in its details: what is compared (meta-arguments are not, JSON text is
 * compared as structure), the order and counts of the result, the wording of inferred replaces,
 * and the round trip of a plan back into a document for costing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTerraform, emptyPlan, PlanInputError, planToTerraformJson, readTerraformJson, readTerraformPlan } from '../../src/plan/index.ts';
import type { TerraformJson } from '../../src/plan/index.ts';

const q = (attributes: Record<string, unknown>): TerraformJson => ({ resource: { aws_sqs_queue: { q: attributes } } });
const only = (before: TerraformJson | null, after: TerraformJson) => diffTerraform(before, after).resources[0]!;

describe('what the diff compares', () => {
  for (const meta of ['depends_on', 'lifecycle', 'provider', 'count', 'for_each', 'connection', 'provisioner', '//']) {
    it(`ignores the meta-argument ${meta}`, () => {
      const r = only(q({ name: 'a', [meta]: ['x'] }), q({ name: 'a', [meta]: ['y'] }));
      assert.equal(r.action, 'no-op');
      assert.deepEqual(r.after, { name: 'a' });
    });
  }

  for (const attribute of ['container_definitions', 'policy', 'assume_role_policy', 'access_policy', 'redrive_policy', 'redrive_allow_policy']) {
    it(`compares ${attribute} as JSON, naming the field that changed`, () => {
      const doc = (v: number) => ({ resource: { aws_iam_role: { r: { name: 'r', [attribute]: `  ${JSON.stringify({ a: { b: v }, c: 1 })}` } } } });
      assert.deepEqual(only(doc(1), doc(2)).changes.map((c) => [c.path, c.before, c.after]), [[`${attribute}.a.b`, 1, 2]]);
      assert.equal(only(doc(1), { resource: { aws_iam_role: { r: { name: 'r', [attribute]: `\n${JSON.stringify({ c: 1, a: { b: 1 } })}` } } } }).action, 'no-op', 'key order and spacing do not matter');
    });
  }

  it('compares a JSON list the same way, and text that is not JSON as text', () => {
    const list = (image: string) => q({ redrive_policy: JSON.stringify([{ name: 'web', image }]) });
    assert.deepEqual(only(list('a:1'), list('a:2')).changes.map((c) => c.path), ['redrive_policy.web.image']);
    for (const [a, b] of [['{not json', '{not json!'], ['"quoted"', '"other"'], ['12', '13'], ['plain', 'other']]) {
      assert.deepEqual(only(q({ policy: a }), q({ policy: b })).changes.map((c) => [c.path, c.before, c.after]), [['policy', a, b]], a);
    }
  });

  it('compares other attributes holding JSON text as text', () => {
    const r = only(q({ name: 'a', description: '{"a":1}' }), q({ name: 'a', description: '{"a": 1}' }));
    assert.deepEqual(r.changes.map((c) => c.path), ['description']);
  });

  it('compares an attribute that is not text as it is', () => {
    assert.deepEqual(only(q({ policy: { a: 1 } }), q({ policy: { a: 2 } })).changes.map((c) => c.path), ['policy.a']);
  });
});

describe('the result', () => {
  const before: TerraformJson = { resource: { aws_sqs_queue: { b: { name: 'b' }, gone: { name: 'g' } }, aws_iam_role: { r: { name: 'r' } } } };
  const after: TerraformJson = { resource: { aws_sqs_queue: { b: { name: 'b2' }, a: { name: 'a' } }, aws_iam_role: { r: { name: 'r' } } } };

  it('lists resources sorted by address, the removed ones included', () => {
    assert.deepEqual(diffTerraform(before, after).resources.map((r) => [r.address, r.action]), [
      ['aws_iam_role.r', 'no-op'], ['aws_sqs_queue.a', 'create'], ['aws_sqs_queue.b', 'replace'], ['aws_sqs_queue.gone', 'delete'],
    ]);
  });

  it('leaves unchanged resources out when asked, and counts only what it lists', () => {
    const plan = diffTerraform(before, after, { includeNoOp: false });
    assert.deepEqual(plan.resources.map((r) => r.address), ['aws_sqs_queue.a', 'aws_sqs_queue.b', 'aws_sqs_queue.gone']);
    assert.deepEqual(plan.summary, { create: 1, update: 0, replace: 1, delete: 1, 'no-op': 0, read: 0 });
    assert.equal(plan.source, 'diff');
  });

  it('names each forcing attribute once in the reason of an inferred replace', () => {
    const r = only(
      { resource: { aws_security_group_rule: { r: { type: 'ingress', cidr_blocks: ['10.0.0.0/8', '10.1.0.0/16'], from_port: 1 } } } },
      { resource: { aws_security_group_rule: { r: { type: 'ingress', cidr_blocks: ['10.2.0.0/8', '10.3.0.0/16'], from_port: 2 } } } },
    );
    assert.equal(r.reason, 'cidr_blocks, from_port cannot be changed in place');
  });

  it('says a removed data source destroys nothing', () => {
    const r = only({ data: { aws_vpc: { main: { id: 'vpc-1' } } } }, {});
    assert.deepEqual([r.address, r.action, r.reason], ['data.aws_vpc.main', 'no-op', 'data source removed: nothing to destroy']);
    assert.equal(only(q({ name: 'a' }), {}).reason, undefined);
  });

  it('takes the component from the new block, else from the old one', () => {
    const tagged = (c: string, name = 'a') => q({ name, tags: { 'slipway:component': c } });
    assert.equal(only(tagged('old'), tagged('new')).component, 'new');
    assert.equal(only(tagged('old'), {}).component, 'old');
    assert.equal(only(q({ name: 'a' }), q({ name: 'b' })).component, undefined);
    assert.equal(only(null, tagged('web')).component, 'web');
  });

  it('an empty plan counts zero of every action', () => {
    assert.deepEqual(emptyPlan(), { source: 'diff', resources: [], summary: { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 } });
    assert.equal(emptyPlan('terraform').source, 'terraform');
  });
});

describe('a plan back into a document', () => {
  const plan = readTerraformPlan(JSON.stringify({
    format_version: '1.2',
    resource_changes: [
      { address: 'aws_sqs_queue.new', type: 'aws_sqs_queue', name: 'new', change: { actions: ['create'], before: null, after: { name: 'n' } } },
      { address: 'aws_sqs_queue.old', type: 'aws_sqs_queue', name: 'old', change: { actions: ['delete'], before: { name: 'o' }, after: null } },
      { address: 'aws_sqs_queue.same', type: 'aws_sqs_queue', name: 'same', change: { actions: ['no-op'], before: { name: 's' }, after: { name: 's' } } },
      { address: 'aws_sqs_queue.up', type: 'aws_sqs_queue', name: 'up', change: { actions: ['update'], before: { delay_seconds: 0 }, after: { delay_seconds: 5 } } },
      { address: 'module.m.aws_sqs_queue.q', module_address: 'module.m', type: 'aws_sqs_queue', name: 'q', change: { actions: ['update'], before: { delay_seconds: 1 }, after: { delay_seconds: 2 } } },
      { address: 'data.aws_vpc.main', type: 'aws_vpc', name: 'main', mode: 'data', change: { actions: ['read'], before: null, after: { id: 'vpc-1' } } },
    ],
  }), 'plan.json');

  it('gives the before side: what existed, data sources left out', () => {
    assert.deepEqual(planToTerraformJson(plan, 'before'), {
      resource: { aws_sqs_queue: { old: { name: 'o' }, same: { name: 's' }, up: { delay_seconds: 0 }, 'module.m.aws_sqs_queue.q': { delay_seconds: 1 } } },
    });
  });

  it('gives the after side: what will exist', () => {
    assert.deepEqual(planToTerraformJson(plan, 'after'), {
      resource: { aws_sqs_queue: { new: { name: 'n' }, same: { name: 's' }, up: { delay_seconds: 5 }, 'module.m.aws_sqs_queue.q': { delay_seconds: 2 } } },
    });
  });
});

describe('a saved Terraform JSON document', () => {
  const reject = (text: string, code: string, path: string) =>
    assert.throws(() => readTerraformJson(text, 'cdk.tf.json'), (e: unknown) => e instanceof PlanInputError && e.code === code && e.path === path && e.file === 'cdk.tf.json');

  it('is read when its blocks are objects, comments included', () => {
    const doc = { '//': { note: 1 }, resource: { '//': 'x', aws_sqs_queue: { q: { name: 'a' } } }, data: { aws_vpc: { main: {} } } };
    assert.deepEqual(readTerraformJson(JSON.stringify(doc), 'cdk.tf.json'), doc);
    assert.deepEqual(readTerraformJson('{}', 'cdk.tf.json'), {});
  });

  it('is refused, located, when it is a plan or a block has the wrong shape', () => {
    reject('[]', 'not-an-object', '$');
    reject('{"resource_changes": []}', 'invalid-field', '$');
    reject('{"planned_values": {}}', 'invalid-field', '$');
    reject('{"resource": []}', 'invalid-field', 'resource');
    reject('{"data": "x"}', 'invalid-field', 'data');
    reject('{"resource": {"aws_sqs_queue": []}}', 'invalid-field', 'resource.aws_sqs_queue');
    reject('{"data": {"aws_vpc": {"main": 1}}}', 'invalid-field', 'data.aws_vpc.main');
    reject('{"resource": ', 'invalid-json', '$');
  });

  it('says where JSON breaks, or that the file ends early', () => {
    assert.throws(() => readTerraformJson('{\n  "resource": {,\n}', 'cdk.tf.json'), /cdk\.tf\.json: not valid JSON at line 2, column \d+/);
    assert.throws(() => readTerraformJson('{"resource": {', 'cdk.tf.json'), /not valid JSON( at line 1, column \d+)?( \(the file ends early: truncated\?\))?:/);
  });
});
