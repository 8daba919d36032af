import assert from 'node:assert/strict';
import test from 'node:test';
import { evaluatePolicies, formatPolicyError, loadPolicyFiles, type PolicyRule } from '../../src/policy/index.ts';
import { config, goodTerraform } from './fixtures.ts';

// Each pattern below backtracks exponentially in JavaScript's RegExp: before RE2, evaluating one on
// a few dozen characters took seconds to hours. The timeout turns such a hang into a failure.
const guard = { timeout: 20_000 };

function load(yaml: string) {
  return loadPolicyFiles(new Map([['.slipway/policies/team.yaml', yaml]]), 'repo');
}

function rule(condition: string, extra = ''): string {
  return `version: 1
rules:
  - id: hostile
    description: a pattern from the default branch
    severity: error
    remediation: none
${extra}    select: { resource: { type: aws_s3_bucket } }
    assert:
      - ${condition}
`;
}

function bucketNamed(name: string) {
  const terraform = goodTerraform();
  terraform.resource.aws_s3_bucket = { uploads_bucket: { bucket: name, tags: { 'slipway:component': 'uploads' } } };
  return terraform;
}

function evaluate(rules: PolicyRule[], terraform = goodTerraform(), environment = 'production') {
  return evaluatePolicies({ config: config(), environment, terraform, rules });
}

for (const [pattern, value, expected] of [
  ['^(a|aa)+$', `${'a'.repeat(999)}b`, 'fail'],
  ['^(a|aa)+$', 'a'.repeat(1000), 'pass'],
  ['(a|a?)+b', 'a'.repeat(1000), 'fail'],
  ['^(a+)+$', `${'a'.repeat(999)}!`, 'fail'],
] as const) {
  test(`the overlapping pattern ${pattern} is accepted and judges a 1,000-character value (${expected}) without backtracking`, guard, () => {
    const loaded = load(rule(`{ path: bucket, matches: "${pattern}" }`));
    assert.deepEqual(loaded.errors, []);
    const [result] = evaluate(loaded.rules, bucketNamed(value));
    assert.equal(result.status, expected, result.message);
  });
}

test('a pattern RE2 cannot run in linear time is a located error with a hint', () => {
  const { errors, rules } = load(rule('{ path: bucket, matches: "^(?!tmp-).*$" }'));
  assert.deepEqual(rules, []);
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0].file, errors[0].line, errors[0].column, errors[0].path], ['.slipway/policies/team.yaml', 9, 34, 'rules.0.assert.0.matches']);
  assert.match(errors[0].message, /not a pattern Slipway can run in linear time/);
  assert.match(errors[0].hint ?? '', /lookahead and lookbehind are not supported/);
  assert.match(formatPolicyError(errors[0]), /^\.slipway\/policies\/team\.yaml:9:34: rules\.0\.assert\.0\.matches: .*\(lookahead/);
  const backreference = load(rule('{ path: bucket, matches: "(a)\\\\1" }')).errors;
  assert.match(backreference[0].hint ?? '', /backreferences/);
});

test('counted repetitions are capped, so no pattern builds an automaton large enough to stall a first match', () => {
  assert.deepEqual(load(rule('{ path: bucket, matches: "^.{1,255}$" }')).errors, []);
  const [error] = load(rule('{ path: bucket, matches: "(?i)\\\\w{0,1000}x" }')).errors;
  assert.match(error.message, /counted repetitions add up to 1000; at most 256/);
  assert.equal(error.path, 'rules.0.assert.0.matches');
  // An escaped brace is a literal, not a repetition.
  assert.deepEqual(load(rule('{ path: bucket, matches: "\\\\{999}" }')).errors, []);
});

test('an environment glob with many stars matches in linear time', guard, () => {
  const glob = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
  const { rules, errors } = load(rule('{ path: bucket, exists: true }', `    when: { environment: ["${glob}"] }\n`));
  assert.deepEqual(errors, []);
  const terraform = bucketNamed('x');
  const [other] = evaluate(rules, terraform, 'a'.repeat(39));
  assert.equal(other.notApplicable, true, 'the rule does not apply to a non-matching environment');
  const [matching] = evaluate(rules, terraform, `${'a'.repeat(38)}b`);
  assert.deepEqual([matching.status, matching.notApplicable], ['pass', undefined]);
});
