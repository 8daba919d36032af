import assert from 'node:assert/strict';
import test from 'node:test';
import { formatPolicyError, loadPolicyFiles } from '../../src/policy/index.ts';

const load = (text: string, file = '.slipway/policies/team.yaml') => loadPolicyFiles(new Map([[file, text]]), 'repo');

const valid = `version: 1
params:
  allowedRegions: [eu-west-1]
rules:
  - id: no-big-queues
    description: Queues keep messages at most a day.
    severity: warning
    remediation: Lower retention.
    select:
      resource: { type: aws_sqs_queue }
    assert:
      - { path: message_retention_seconds, lessThanOrEqual: 86400 }
`;

test('a valid file gives its rules with their source, and its params', () => {
  const loaded = load(valid);
  assert.deepEqual(loaded.errors, []);
  assert.equal(loaded.rules.length, 1);
  assert.equal(loaded.rules[0].id, 'no-big-queues');
  assert.equal(loaded.rules[0].source, 'repo:.slipway/policies/team.yaml');
  assert.deepEqual(loaded.params, { allowedRegions: ['eu-west-1'] });
});

test('an unknown key is located on the key, with a did-you-mean hint', () => {
  const { errors, rules } = load(valid.replace('    severity: warning', '    severty: warning'));
  assert.deepEqual(rules, []);
  const unknown = errors.find((e) => e.message === 'unknown key "severty"');
  assert.ok(unknown, JSON.stringify(errors));
  assert.deepEqual([unknown.line, unknown.column, unknown.path, unknown.hint], [7, 5, 'rules.0.severty', 'did you mean "severity"?']);
  assert.ok(errors.some((e) => e.path === 'rules.0.severity'), 'the missing severity is reported too');
  assert.match(formatPolicyError(unknown), /^\.slipway\/policies\/team\.yaml:7:5: rules\.0\.severty: unknown key "severty" \(did you mean "severity"\?\)$/);
});

test('a misspelt operator inside a condition is located with a hint', () => {
  const { errors } = load(valid.replace('lessThanOrEqual: 86400', 'lessThanOrEqaul: 86400'));
  const unknown = errors.find((e) => e.message.includes('lessThanOrEqaul'));
  assert.ok(unknown);
  assert.equal(unknown.line, 12);
  assert.equal(unknown.hint, 'did you mean "lessThanOrEqual"?');
});

test('a bad enum value is located on the value with a hint', () => {
  const { errors } = load(valid.replace('severity: warning', 'severity: eror'));
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0].line, errors[0].column, errors[0].path, errors[0].hint], [7, 15, 'rules.0.severity', 'did you mean "error"?']);
});

test('a condition with two tests, or none, is refused', () => {
  const two = load(valid.replace('{ path: message_retention_seconds, lessThanOrEqual: 86400 }', '{ path: a, equals: 1, in: [1] }')).errors;
  assert.match(two[0].message, /exactly one test; found equals, in/);
  assert.equal(two[0].line, 12);
  const none = load(valid.replace('{ path: message_retention_seconds, lessThanOrEqual: 86400 }', '{ path: a }')).errors;
  assert.match(none[0].message, /a condition needs one test/);
});

test('a bad reference, a dangerous regex and an unknown selector are refused', () => {
  assert.match(load(valid.replace('lessThanOrEqual: 86400', 'lessThanOrEqual: $secrets.x')).errors[0].message, /reference/);
  const regex = load(valid.replace('lessThanOrEqual: 86400', 'matches: "(?=a)b"')).errors;
  assert.match(regex[0].message, /linear time/);
  const selector = load(valid.replace('resource: { type: aws_sqs_queue }', 'resources: { type: aws_sqs_queue }')).errors;
  assert.ok(selector.some((e) => e.hint === 'did you mean "resource"?'), JSON.stringify(selector));
});

test('YAML syntax errors, duplicate keys and custom tags are located errors', () => {
  const syntax = load('version: 1\nrules:\n  - id: x\n   bad: [\n');
  assert.ok(syntax.errors.length > 0);
  assert.equal(syntax.errors[0].file, '.slipway/policies/team.yaml');
  assert.ok(syntax.errors[0].line >= 3);
  const duplicate = load('version: 1\nversion: 1\nrules: []\n');
  assert.match(duplicate.errors[0].message, /duplicate key/i);
  assert.equal(duplicate.errors[0].line, 2);
  const tag = load('version: 1\nrules: !js/function "return 1"\n');
  assert.match(tag.errors[0].message, /tag/i);
});

test('an alias bomb and an oversized file are refused without expanding them', () => {
  const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const loaded = load(bomb.join('\n'));
  assert.equal(loaded.rules.length, 0);
  assert.match(loaded.errors[0].message, /alias/i);
  const big = load(`version: 1\n# ${'x'.repeat(300 * 1024)}\nrules: []\n`);
  assert.match(big.errors[0].message, /larger than 256 KiB/);
});

test('duplicate rule ids across files are errors naming the other file', () => {
  const loaded = loadPolicyFiles(new Map([['b.yaml', valid], ['a.yaml', valid]]), 'server');
  assert.equal(loaded.rules.length, 1);
  assert.equal(loaded.rules[0].source, 'server:a.yaml');
  assert.equal(loaded.errors.length, 1);
  assert.deepEqual([loaded.errors[0].file, loaded.errors[0].line], ['b.yaml', 5]);
  assert.match(loaded.errors[0].message, /duplicate rule id "no-big-queues" \(also in a\.yaml\)/);
});

test('an empty file and a missing version are errors', () => {
  assert.match(load('').errors[0].message, /empty/);
  const noVersion = load('rules: []\n');
  assert.equal(noVersion.errors[0].path, 'version');
});

test('conditions nested absurdly deep are refused before validation', () => {
  let condition = '{ path: a, exists: true }';
  for (let i = 0; i < 60; i++) condition = `{ not: ${condition} }`;
  const { errors, rules } = load(valid.replace('{ path: message_retention_seconds, lessThanOrEqual: 86400 }', condition));
  assert.deepEqual(rules, []);
  assert.match(errors[0].message, /nested more than 40 levels/);
});
