/**
 * `terraform show -json` read field by field: what each action keeps of before and after, how the
 * reasons Terraform gives are worded, and a located PlanInputError (code, path) for every field
 * that is not what the format says. Documents here follow
 * https://developer.hashicorp.com/terraform/internals/json-format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanInputError, readTerraformPlan, REDACTED } from '../../src/plan/index.ts';

type Raw = Record<string, unknown>;
const rc = (over: Raw = {}, change: Raw = {}): Raw => ({
  address: 'aws_sqs_queue.q', type: 'aws_sqs_queue', name: 'q', mode: 'managed',
  change: { actions: ['update'], before: { name: 'a', delay_seconds: 0 }, after: { name: 'a', delay_seconds: 5 }, ...change },
  ...over,
});
const read = (changes: unknown[], extra: Raw = {}, options = {}) =>
  readTerraformPlan(JSON.stringify({ format_version: '1.2', resource_changes: changes, ...extra }), 'plan.json', options);
const only = (over: Raw = {}, change: Raw = {}) => read([rc(over, change)]).resources[0]!;

function rejects(doc: unknown, code: string, path: string, detail?: RegExp) {
  assert.throws(
    () => readTerraformPlan(typeof doc === 'string' ? doc : JSON.stringify(doc), 'plan.json'),
    (error: unknown) => {
      assert.ok(error instanceof PlanInputError, String(error));
      assert.deepEqual([error.code, error.file, error.path], [code, 'plan.json', path]);
      if (detail) assert.match(error.detail, detail);
      return true;
    },
  );
}

describe('format_version', () => {
  for (const version of ['0.1', '0.2', '1.0', '1.2', '1.10']) {
    it(`reads format_version ${version}`, () => assert.equal(read([], { format_version: version }).resources.length, 0));
  }
  for (const version of ['2.0', '1', '1.', '1.2.3', 'v1.2', '11.0', ' 1.2']) {
    it(`refuses format_version ${JSON.stringify(version)}`, () => rejects({ format_version: version, resource_changes: [] }, 'unsupported-format', 'format_version', /0\.1 through 1\.x/));
  }
  it('asks whether a document without format_version is terraform show output', () => rejects({ resource_changes: [] }, 'invalid-field', 'format_version', /terraform show -json/));
  it('refuses a document that is not an object, and text that is not JSON', () => {
    rejects([], 'not-an-object', '$');
    rejects('{"format_version": "1.2",', 'invalid-json', '$');
  });
  it('reads a plan without resource_changes as empty, and refuses one that is not a list', () => {
    assert.deepEqual(read([], { resource_changes: undefined }).summary, { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 });
    rejects({ format_version: '1.2', resource_changes: {} }, 'invalid-field', 'resource_changes');
  });
});

describe('actions', () => {
  const cases: [string[], string][] = [[['create'], 'create'], [['read'], 'read'], [['update'], 'update'], [['delete'], 'delete'], [['no-op'], 'no-op'],
    [['delete', 'create'], 'replace'], [['create', 'delete'], 'replace']];
  for (const [actions, action] of cases) it(`reads ${JSON.stringify(actions)} as ${action}`, () => assert.equal(only({}, { actions }).action, action));

  it('refuses unknown actions and combinations, naming the element', () => {
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: ['destroy'] })] }, 'unknown-action', 'resource_changes[0].change.actions[0]');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: ['update', 7] })] }, 'unknown-action', 'resource_changes[0].change.actions[1]');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: ['create', 'update'] })] }, 'unknown-action', 'resource_changes[0].change.actions');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: ['create', 'create'] })] }, 'unknown-action', 'resource_changes[0].change.actions');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: ['delete', 'create', 'update'] })] }, 'unknown-action', 'resource_changes[0].change.actions');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: [] })] }, 'invalid-field', 'resource_changes[0].change.actions');
    rejects({ format_version: '1.2', resource_changes: [rc({}, { actions: 'update' })] }, 'invalid-field', 'resource_changes[0].change.actions');
  });

  it('keeps no-op resources unless asked not to', () => {
    const changes = [rc({}, { actions: ['no-op'], after: { name: 'a', delay_seconds: 0 } }), rc({ address: 'aws_sqs_queue.r', name: 'r' })];
    assert.deepEqual(read(changes).resources.map((r) => r.action), ['no-op', 'update']);
    assert.deepEqual(read(changes, {}, { includeNoOp: true }).resources.map((r) => r.action), ['no-op', 'update']);
    assert.deepEqual(read(changes, {}, { includeNoOp: false }).resources.map((r) => r.action), ['update']);
    assert.deepEqual(read(changes, {}, { includeNoOp: false }).summary, { create: 0, update: 1, replace: 0, delete: 0, 'no-op': 0, read: 0 });
  });
});

describe('before and after by action', () => {
  it('a create has no before and lists what it sets', () => {
    const r = only({}, { actions: ['create'], before: null, after: { name: 'a' } });
    assert.deepEqual([r.before, r.after, r.changes.map((c) => [c.path, c.before, c.after])], [null, { name: 'a' }, [['name', undefined, 'a']]]);
  });
  it('a delete keeps what goes, and lists no attribute changes', () => {
    const r = only({}, { actions: ['delete'], before: { name: 'a' }, after: null, after_unknown: { id: true } });
    assert.deepEqual([r.before, r.after, r.changes], [{ name: 'a' }, null, []]);
  });
  it('a no-op lists no attribute changes', () => {
    assert.deepEqual(only({}, { actions: ['no-op'] }).changes, []);
  });
  it('a read is compared with nothing: its changes list everything it reads', () => {
    const r = only({ mode: 'data' }, { actions: ['read'], before: { name: 'old' }, after: { name: 'a' } });
    assert.deepEqual([r.mode, r.before, r.after], ['data', { name: 'old' }, { name: 'a' }]);
    assert.deepEqual(r.changes.map((c) => [c.path, c.before, c.after]), [['name', undefined, 'a']]);
  });
  it('an update lists its changes, with unknown values and redaction', () => {
    const r = only({}, {
      before: { name: 'a', kms_master_key_id: 'x', tags: { Team: 'a' } },
      after: { name: 'a', tags: { Team: 'b' } },
      after_unknown: { kms_master_key_id: true },
      after_sensitive: { tags: { Team: true } },
    });
    assert.deepEqual(r.changes.map((c) => [c.path, c.before, c.after, c.sensitive, c.unknownAfter]), [
      ['kms_master_key_id', 'x', undefined, false, true],
      ['tags.Team', REDACTED, REDACTED, true, undefined],
    ]);
  });
  it('marks the paths Terraform says force the replacement, nested ones included', () => {
    const r = only({}, {
      actions: ['delete', 'create'],
      before: { name: 'a', policy: { rules: ['x'] }, delay_seconds: 0 },
      after: { name: 'b', policy: { rules: ['y'] }, delay_seconds: 5 },
      replace_paths: [['name'], ['policy', 'rules', 0]],
    });
    assert.deepEqual(r.changes.map((c) => [c.path, c.forcesReplacement]), [['name', true], ['policy.rules.0', true], ['delay_seconds', undefined]]);
  });
  it('marks a change above a replace path as forcing it too', () => {
    const r = only({}, { actions: ['delete', 'create'], before: { policy: null }, after: { policy: { rules: ['y'] } }, replace_paths: [['policy', 'rules']] });
    assert.deepEqual(r.changes.map((c) => [c.path, c.forcesReplacement]), [['policy', true]]);
  });
});

describe('reasons and addresses', () => {
  it('words the documented action reasons, and spells out an unknown one', () => {
    const reason = (action_reason: string) => only({ action_reason }).reason;
    assert.equal(reason('replace_because_tainted'), 'the object is tainted');
    assert.equal(reason('replace_because_cannot_update'), 'an attribute cannot be updated in place');
    assert.equal(reason('replace_by_request'), 'replacement requested (-replace)');
    assert.equal(reason('replace_by_triggers'), 'replace_triggered_by');
    assert.equal(reason('delete_because_no_resource_config'), 'removed from the configuration');
    assert.equal(reason('delete_because_no_module'), 'its module was removed');
    assert.equal(reason('delete_because_wrong_repetition'), 'count/for_each changed');
    assert.equal(reason('delete_because_count_index'), 'count was reduced');
    assert.equal(reason('delete_because_each_key'), 'for_each key was removed');
    assert.equal(reason('delete_because_no_move_target'), 'moved to an address that does not exist');
    assert.equal(reason('read_because_config_unknown'), 'configuration depends on values not yet known');
    assert.equal(reason('read_because_dependency_pending'), 'a dependency has pending changes');
    assert.equal(reason('read_because_check_nested'), 'read by a check block');
    assert.equal(reason('replace_because_of_solar_flares'), 'replace because of solar flares');
    assert.equal(only().reason, undefined);
  });
  it('says where a moved resource came from, and which deposed object goes', () => {
    assert.equal(only({ previous_address: 'aws_sqs_queue.old' }).reason, 'moved from aws_sqs_queue.old');
    assert.equal(only({ previous_address: 'aws_sqs_queue.q' }).reason, undefined, 'not moved: the same address');
    assert.equal(only({ action_reason: 'replace_by_request', previous_address: 'aws_sqs_queue.old', deposed: 'abc123' }).reason,
      'replacement requested (-replace); moved from aws_sqs_queue.old; deposed object abc123');
    assert.equal(only({ deposed: 'abc123' }).reason, 'deposed object abc123');
  });
  it('keeps the module address when there is one', () => {
    assert.equal(only({ module_address: 'module.web' }).module, 'module.web');
    assert.equal(only({ module_address: '' }).module, undefined);
    assert.equal(only().module, undefined);
  });
  it('takes the component from after, else from before', () => {
    const tagged = (c: string) => ({ name: 'a', tags: { 'slipway:component': c } });
    assert.equal(only({}, { before: tagged('old'), after: tagged('new') }).component, 'new');
    assert.equal(only({}, { actions: ['delete'], before: tagged('old'), after: null }).component, 'old');
    assert.equal(only({}, { before: { name: 'a' }, after: { name: 'b' } }).component, undefined);
  });
});

describe('invalid fields, located', () => {
  const bad = (change: unknown, path: string, code = 'invalid-field') => rejects({ format_version: '1.2', resource_changes: [change] }, code, path);
  it('names the resource change that is not an object', () => bad('aws_sqs_queue.q', 'resource_changes[0]'));
  it('names each missing or empty identifying field', () => {
    for (const field of ['address', 'type', 'name']) {
      bad(rc({ [field]: undefined }), `resource_changes[0].${field}`);
      bad(rc({ [field]: '' }), `resource_changes[0].${field}`);
      bad(rc({ [field]: 7 }), `resource_changes[0].${field}`);
    }
  });
  it('refuses an unknown mode and reads a missing one as managed', () => {
    bad(rc({ mode: 'ephemeral' }), 'resource_changes[0].mode');
    assert.equal(only({ mode: undefined }).mode, 'managed');
  });
  it('names a change, a before, an after or replace paths of the wrong shape', () => {
    bad(rc({ change: 'update' }), 'resource_changes[0].change');
    bad(rc({}, { before: 'x' }), 'resource_changes[0].change.before');
    bad(rc({}, { after: [1] }), 'resource_changes[0].change.after');
    bad(rc({}, { replace_paths: 'name' }), 'resource_changes[0].change.replace_paths');
    bad(rc({}, { replace_paths: ['name'] }), 'resource_changes[0].change.replace_paths[0]');
  });
  it('reads a null replace_paths as none', () => {
    assert.deepEqual(only({}, { replace_paths: null }).changes.map((c) => c.forcesReplacement), [undefined]);
  });
});
