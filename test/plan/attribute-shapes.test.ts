/**
 * Attribute changes between values of different shapes: a list or block that appears, disappears
 * or changes from null; lists that grow or shrink; lists of named entries that lose one; and a
 * secret inside a block that replaces a null, which must be shown as sensitive, not as a block.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTerraform, REDACTED } from '../../src/plan/index.ts';

const changes = (before: Record<string, unknown> | null, after: Record<string, unknown>) => {
  const plan = diffTerraform(before ? { resource: { aws_sqs_queue: { q: before } } } : null, { resource: { aws_sqs_queue: { q: after } } });
  return plan.resources[0]!.changes.map((c) => [c.path, c.before, c.after, c.sensitive]);
};

describe('attribute changes across shapes', () => {
  it('lists each element of a list that appears or disappears', () => {
    assert.deepEqual(changes({ name: 'a' }, { name: 'a', ports: [80, 443] }), [['ports.0', undefined, 80, false], ['ports.1', undefined, 443, false]]);
    assert.deepEqual(changes({ name: 'a', ports: [80] }, { name: 'a' }), [['ports.0', 80, undefined, false]]);
    assert.deepEqual(changes(null, { ports: [80] }), [['ports.0', undefined, 80, false]]);
  });

  it('lists the keys of a block that appears, and the elements of a list that grows or shrinks', () => {
    assert.deepEqual(changes({ name: 'a' }, { name: 'a', redrive: { max: 3 } }), [['redrive.max', undefined, 3, false]]);
    assert.deepEqual(changes({ ports: [80, 443, 8080] }, { ports: [80] }), [['ports.1', 443, undefined, false], ['ports.2', 8080, undefined, false]]);
    assert.deepEqual(changes({ ports: [80] }, { ports: [80, 443] }), [['ports.1', undefined, 443, false]]);
  });

  it('shows a value that changes shape as one change of the whole attribute', () => {
    assert.deepEqual(changes({ redrive: null }, { redrive: { max: 3 } }), [['redrive', null, { max: 3 }, false]]);
    assert.deepEqual(changes({ redrive: 'none' }, { redrive: ['a'] }), [['redrive', 'none', ['a'], false]]);
    assert.deepEqual(changes({ redrive: [] }, { redrive: {} }), [['redrive', [], {}, false]]);
    assert.deepEqual(changes({ redrive: {} }, { redrive: {} }), []);
  });

  it('hides a whole block or list that replaces a null when a secret is inside it', () => {
    assert.deepEqual(changes({ settings: null }, { settings: { api_token: 'abc-123-secret' } }), [['settings', null, REDACTED, true]]);
    assert.deepEqual(changes({ settings: null }, { settings: [{ name: 'x', password: 'hunter2-pass' }] }), [['settings', null, REDACTED, true]]);
    assert.deepEqual(changes({ settings: { password: 'old-pass-1' } }, { settings: null }), [['settings', REDACTED, null, true]]);
    assert.deepEqual(changes({ settings: null }, { settings: { nested: [{ region: 'eu' }] } }), [['settings', null, { nested: [{ region: 'eu' }] }, false]]);
  });

  it('matches named entries by name: a removed entry is listed as removed', () => {
    const env = (...names: string[]) => ({ environment: names.map((name) => ({ name, value: `${name}-v` })) });
    assert.deepEqual(changes(env('A', 'B', 'C'), env('A', 'C')), [['environment.B.name', 'B', undefined, false], ['environment.B.value', 'B-v', undefined, false]]);
    assert.deepEqual(changes(env('A'), env('B', 'A')), [['environment.B.name', undefined, 'B', false], ['environment.B.value', undefined, 'B-v', false]]);
  });

  it('does not match entries by name when a name is a number, repeats, or is missing', () => {
    assert.deepEqual(changes({ l: [{ name: '1', v: 1 }, { name: '2', v: 2 }] }, { l: [{ name: '2', v: 2 }] }).map((c) => c[0]), ['l.0.name', 'l.0.v', 'l.1.name', 'l.1.v']);
    assert.deepEqual(changes({ l: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] }, { l: [{ name: 'a', v: 2 }] }).map((c) => c[0]), ['l.0.v', 'l.1.name', 'l.1.v']);
    assert.deepEqual(changes({ l: [{ v: 1 }] }, { l: [{ v: 2 }] }).map((c) => c[0]), ['l.0.v']);
    assert.deepEqual(changes({ l: [] }, { l: [{ name: 'a' }] }).map((c) => c[0]), ['l.0.name']);
  });

  it('compares objects ignoring undefined keys and CDKTF comments, and lists of equal length element by element', () => {
    assert.deepEqual(changes({ a: { x: 1, y: undefined } }, { a: { x: 1 } }), []);
    assert.deepEqual(changes({ a: { x: 1, '//': 'm1' } }, { a: { x: 1, '//': 'm2' } }), []);
    assert.deepEqual(changes({ a: [[1, 2]] }, { a: [[1, 3]] }), [['a.0.1', 2, 3, false]]);
  });
});
