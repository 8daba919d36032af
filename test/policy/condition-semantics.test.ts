/**
 * What each condition of the rule language holds for, one at a time, against one resource whose
 * attributes the test writes: loose equality ("80" equals 80), list values, null as absent,
 * numbers written as text, references that are not set (neither a fault nor a match), the
 * three-valued anyOf / allOf / not, paths through lists, maps and JSON text, and the bounded
 * input of `matches`. Rules are loaded from files, as a repository's would be.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicies, loadPolicyFiles } from '../../src/policy/index.ts';
import { config } from './fixtures.ts';

type Verdict = true | false | 'unknown';

/**
 * Whether `attributes` satisfy `condition` as the engine judges it: false when an `assert:` of it
 * faults the resource, true when a `deny:` of it does, unknown when neither (an unset reference).
 */
function holds(condition: Record<string, unknown>, attributes: Record<string, unknown>, params: Record<string, unknown> = {}): Verdict {
  const faults = (mode: 'assert' | 'deny') => {
    const file = JSON.stringify({
      version: 1,
      rules: [{ id: 'probe', description: 'probe', severity: 'error', remediation: 'none', params, select: { resource: { type: 'test_thing' } }, [mode]: [condition] }],
    });
    const loaded = loadPolicyFiles(new Map([['probe.yaml', file]]), 'repo');
    assert.deepEqual(loaded.errors, [], JSON.stringify(condition));
    const [result] = evaluatePolicies({
      config: config(), environment: 'production', rules: loaded.rules,
      terraform: { resource: { test_thing: { it: attributes } } } as never,
    });
    if (result!.status === 'error') throw new Error(result!.message);
    return result!.status === 'fail';
  };
  if (faults('assert')) return false;
  if (faults('deny')) return true;
  return 'unknown';
}

describe('value tests', () => {
  it('equals compares loosely across numbers, text and booleans, and never blank text with zero', () => {
    assert.equal(holds({ path: 'port', equals: 80 }, { port: '80' }), true);
    assert.equal(holds({ path: 'port', equals: '80' }, { port: 80 }), true);
    assert.equal(holds({ path: 'port', equals: 0 }, { port: ' ' }), false);
    assert.equal(holds({ path: 'port', equals: ' ' }, { port: 0 }), false);
    assert.equal(holds({ path: 'on', equals: true }, { on: 'true' }), true);
    assert.equal(holds({ path: 'on', equals: 'true' }, { on: true }), true);
    assert.equal(holds({ path: 'on', equals: 'false' }, { on: true }), false);
    assert.equal(holds({ path: 'on', equals: true }, { on: 1 }), false);
    assert.equal(holds({ path: 'name', equals: 'a' }, {}), false, 'nothing found: nothing equals');
  });

  it('equals looks inside a list value, unless the operand is itself a list', () => {
    assert.equal(holds({ path: 'Action', equals: '*' }, { Action: ['s3:GetObject', '*'] }), true);
    assert.equal(holds({ path: 'Action', equals: ['s3:GetObject', '*'] }, { Action: ['s3:GetObject', '*'] }), true);
    assert.equal(holds({ path: 'Action', equals: ['*'] }, { Action: ['s3:GetObject', '*'] }), false);
    assert.equal(holds({ path: 'Action', notEquals: ['*'] }, { Action: ['s3:GetObject', '*'] }), true);
  });

  it('notEquals holds when no value matches', () => {
    assert.equal(holds({ path: 'acl', notEquals: 'public-read' }, { acl: 'private' }), true);
    assert.equal(holds({ path: 'acl', notEquals: 'public-read' }, { acl: ['private', 'public-read'] }), false);
    assert.equal(holds({ path: 'acl', notEquals: 'public-read' }, {}), true);
  });

  it('in and notIn take a list or a single value', () => {
    assert.equal(holds({ path: 'region', in: ['eu-west-1', 'eu-central-1'] }, { region: 'eu-west-1' }), true);
    assert.equal(holds({ path: 'region', in: ['eu-west-1'] }, { region: 'us-east-1' }), false);
    assert.equal(holds({ path: 'region', in: '$params.region' }, { region: 'eu-west-1' }, { region: 'eu-west-1' }), true, 'a single value');
    assert.equal(holds({ path: 'port', in: [80, 443] }, { port: '443' }), true);
    assert.equal(holds({ path: 'region', notIn: ['us-east-1'] }, { region: 'eu-west-1' }), true);
    assert.equal(holds({ path: 'region', notIn: ['us-east-1'] }, { region: 'us-east-1' }), false);
    assert.equal(holds({ path: 'region', notIn: '$params.region' }, { region: 'us-east-1' }, { region: 'us-east-1' }), false);
  });

  it('exists and absent count null as absent', () => {
    assert.equal(holds({ path: 'kms_key_id', exists: true }, { kms_key_id: 'k' }), true);
    assert.equal(holds({ path: 'kms_key_id', exists: true }, { kms_key_id: null }), false);
    assert.equal(holds({ path: 'kms_key_id', absent: true }, { kms_key_id: null }), true);
    assert.equal(holds({ path: 'kms_key_id', absent: true }, { kms_key_id: '' }), false, 'an empty string is a value');
    assert.equal(holds({ path: 'kms_key_id', absent: true }, {}), true);
  });

  it('contains finds an element of a list (loosely) or a substring, and sees the list whole', () => {
    assert.equal(holds({ path: 'ports', contains: 80 }, { ports: ['80', '443'] }), true);
    assert.equal(holds({ path: 'ports', contains: 22 }, { ports: [80, 443] }), false);
    assert.equal(holds({ path: 'name', contains: 'prod' }, { name: 'shop-production' }), true);
    assert.equal(holds({ path: 'name', contains: 'stag' }, { name: 'shop-production' }), false);
    assert.equal(holds({ path: 'size', contains: '1' }, { size: 10 }), false, 'a number has no substrings');
    assert.equal(holds({ path: 'ports', notContains: 22 }, { ports: [80, 443] }), true);
    assert.equal(holds({ path: 'ports', notContains: 80 }, { ports: [80, 443] }), false);
  });

  it('comparisons read numbers written as text and skip values that are not numbers', () => {
    assert.equal(holds({ path: 'days', greaterThanOrEqual: 7 }, { days: '7' }), true);
    assert.equal(holds({ path: 'days', greaterThanOrEqual: '$params.min' }, { days: 7 }, { min: '7' }), true);
    assert.equal(holds({ path: 'days', greaterThan: 7 }, { days: 'seven' }), false);
    assert.equal(holds({ path: 'days', greaterThan: -1 }, { days: '' }), false, 'blank text is not zero');
    assert.equal(holds({ path: 'days', lessThan: 10 }, { days: [20, 5] }), true, 'any value of a list');
    assert.equal(holds({ path: 'days', lessThan: '$params.max' }, { days: 5 }, { max: 'ten' }), 'unknown', 'a bound that is not a number judges nothing');
  });

  it('matches tests text against a pattern, within its first 10,000 characters', () => {
    assert.equal(holds({ path: 'image', matches: ':latest$' }, { image: 'shop:latest' }), true);
    assert.equal(holds({ path: 'image', matches: ':latest$' }, { image: 'shop:1.2' }), false);
    assert.equal(holds({ path: 'image', matches: '^shop' }, { image: ['other', 'shop:1'] }), true);
    assert.equal(holds({ path: 'n', matches: '1' }, { n: 1 }), false, 'only text is matched');
    assert.equal(holds({ path: 'text', matches: 'needle' }, { text: `${'x'.repeat(9_990)}needle` }), true);
    assert.equal(holds({ path: 'text', matches: 'needle' }, { text: `${'x'.repeat(10_000)}needle` }), false);
  });
});

describe('references', () => {
  it('take their value from params, and judge nothing when unset', () => {
    assert.equal(holds({ path: 'size', lessThanOrEqual: '$params.max' }, { size: 4 }, { max: 4 }), true);
    assert.equal(holds({ path: 'size', lessThanOrEqual: '$params.max' }, { size: 5 }, { max: 4 }), false);
    assert.equal(holds({ path: 'size', lessThanOrEqual: '$params.max' }, { size: 5 }), 'unknown');
    assert.equal(holds({ path: 'region', in: '$params.regions' }, { region: 'a' }), 'unknown');
    assert.equal(holds({ path: 'region', notIn: '$params.regions' }, { region: 'a' }), 'unknown');
    assert.equal(holds({ path: 'region', equals: '$params.region' }, { region: 'a' }), 'unknown');
    assert.equal(holds({ path: 'region', notEquals: '$params.region' }, { region: 'a' }), 'unknown');
    assert.equal(holds({ path: 'tags', contains: '$params.tag' }, { tags: ['a'] }), 'unknown');
    assert.equal(holds({ path: 'tags', notContains: '$params.tag' }, { tags: ['a'] }), 'unknown');
    assert.equal(holds({ path: 'region', in: '$params.regions' }, { region: 'a' }, { regions: ['a', 'b'] }), true);
  });

  it('may stand for the path itself', () => {
    assert.equal(holds({ path: '$params.limit', lessThan: 10 }, {}, { limit: 3 }), true);
    assert.equal(holds({ path: '$params.limit', exists: true }, {}), false);
    assert.equal(holds({ path: '$params.limit', exists: true }, {}, { limit: null }), false);
  });
});

describe('combinations in three-valued logic', () => {
  const yes = { path: 'a', equals: 1 };
  const no = { path: 'a', equals: 2 };
  const unset = { path: 'a', equals: '$params.unset' };
  const cases: [string, Record<string, unknown>, Verdict][] = [
    ['anyOf(true, unknown)', { anyOf: [yes, unset] }, true],
    ['anyOf(unknown, true)', { anyOf: [unset, yes] }, true],
    ['anyOf(false, unknown)', { anyOf: [no, unset] }, 'unknown'],
    ['anyOf(false, false)', { anyOf: [no, no] }, false],
    ['allOf(false, unknown)', { allOf: [unset, no] }, false],
    ['allOf(true, unknown)', { allOf: [yes, unset] }, 'unknown'],
    ['allOf(true, true)', { allOf: [yes, yes] }, true],
    ['not(true)', { not: yes }, false],
    ['not(false)', { not: no }, true],
    ['not(unknown)', { not: unset }, 'unknown'],
  ];
  for (const [name, condition, verdict] of cases) it(`${name} is ${verdict}`, () => assert.equal(holds(condition, { a: 1 }), verdict));

  it('an assert with one unknown condition and one false condition faults the subject', () => {
    const file = JSON.stringify({ version: 1, rules: [{ id: 'two', description: 'd', severity: 'error', remediation: 'r', select: { resource: { type: 'test_thing' } }, assert: [{ path: 'a', equals: '$params.unset' }, { path: 'a', equals: 2 }] }] });
    const [result] = evaluatePolicies({ config: config(), environment: 'production', rules: loadPolicyFiles(new Map([['t.yaml', file]]), 'repo').rules, terraform: { resource: { test_thing: { it: { a: 1 } } } } as never });
    assert.equal(result!.status, 'fail');
  });
});

describe('paths', () => {
  it('apply a name to each element of a list, pick one element by number, and take every one with *', () => {
    const ingress = [{ cidr_blocks: ['10.0.0.0/8'] }, { cidr_blocks: ['0.0.0.0/0'] }];
    assert.equal(holds({ path: 'ingress.cidr_blocks', contains: '0.0.0.0/0' }, { ingress }), true);
    assert.equal(holds({ path: 'ingress.0.cidr_blocks', contains: '0.0.0.0/0' }, { ingress }), false);
    assert.equal(holds({ path: 'ingress.1.cidr_blocks', contains: '0.0.0.0/0' }, { ingress }), true);
    assert.equal(holds({ path: 'ingress.*.cidr_blocks', contains: '0.0.0.0/0' }, { ingress }), true);
    assert.equal(holds({ path: 'ingress.5.cidr_blocks', exists: true }, { ingress }), false);
  });

  it('take every value of a map with *, and read a key with a colon', () => {
    assert.equal(holds({ path: 'tags.*', equals: 'x' }, { tags: { a: 'y', b: 'x' } }), true);
    assert.equal(holds({ path: 'tags.slipway:app', equals: 'shop' }, { tags: { 'slipway:app': 'shop' } }), true);
    assert.equal(holds({ path: 'tags.constructor', exists: true }, { tags: {} }), false, 'only own keys');
  });

  it('read into JSON text, and not into other text', () => {
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:*'] }] });
    assert.equal(holds({ path: 'policy.Statement.Action', equals: 's3:*' }, { policy }), true);
    assert.equal(holds({ path: 'policy.Statement.Action', equals: 's3:*' }, { policy: `  ${policy}` }), true, 'leading space');
    assert.equal(holds({ path: 'policy.Statement', exists: true }, { policy: '{not json' }), false);
    assert.equal(holds({ path: 'name.length', exists: true }, { name: 'shop' }), false, 'plain text has no fields');
  });

  it('quantify over elements with some and every, every being true of none', () => {
    const ingress = [{ port: 80 }, { port: 22 }];
    assert.equal(holds({ path: 'ingress', some: [{ path: 'port', equals: 22 }] }, { ingress }), true);
    assert.equal(holds({ path: 'ingress', every: [{ path: 'port', equals: 80 }] }, { ingress }), false);
    assert.equal(holds({ path: 'ingress', every: [{ path: 'port', lessThan: 100 }] }, { ingress }), true);
    assert.equal(holds({ path: 'ingress', every: [{ path: 'port', equals: 80 }] }, {}), true);
    assert.equal(holds({ path: 'ingress', some: [{ path: 'port', equals: 80 }] }, { ingress: { port: 80 } }), true, 'a block written as an object is one element');
  });
});
