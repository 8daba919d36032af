/**
 * Property-based tests of the policy loader and the pattern engine (fast-check), bounded by a run
 * count and a time budget: whatever a policy file holds, the loader answers with rules or located
 * errors, never an exception; and every pattern it accepts is judged on a 1,000-character value,
 * including the overlapping alternations and nested quantifiers that backtrack in RegExp.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { evaluatePolicies, loadPolicyFiles } from '../../src/policy/index.ts';
import { config, goodTerraform } from './fixtures.ts';

const budget = (ms: number, numRuns: number) => ({ numRuns, interruptAfterTimeLimit: ms, markInterruptAsFailure: false });
const file = '.slipway/policies/team.yaml';

function assertLocated(text: string): void {
  const loaded = loadPolicyFiles(new Map([[file, text]]), 'repo');
  const lines = text.split('\n').length;
  for (const error of loaded.errors) {
    assert.equal(error.file, file);
    assert.ok(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines + 1, `line ${error.line} of ${lines}`);
    assert.ok(Number.isInteger(error.column) && error.column >= 1);
    assert.ok(error.message.length > 0);
  }
}

const rule = (condition: unknown, extra: Record<string, unknown> = {}) => ({
  version: 1,
  rules: [{ id: 'generated', description: 'generated', severity: 'error', remediation: 'none', select: { resource: { type: 'aws_s3_bucket' } }, assert: [condition], ...extra }],
});

test('any text gives rules or located errors, never an exception', () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), assertLocated), budget(5_000, 300));
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (tail) => assertLocated(`version: 1\nrules:\n  - ${tail}`)), budget(5_000, 300));
});

test('any condition built from the policy language\'s keys and arbitrary values loads or is a located error', () => {
  const key = fc.constantFrom('path', 'equals', 'in', 'matches', 'exists', 'anyOf', 'not', 'some', 'related', 'references', 'greaterThan', 'message', 'bogus');
  const condition = fc.letrec((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), fc.array(tie('node'), { maxLength: 2 }), tie('node')), { maxKeys: 3 }),
  })).node;
  fc.assert(fc.property(condition, (c) => assertLocated(stringify(rule(c)))), budget(10_000, 300));
});

/** Regular expressions from a small grammar that likes overlapping alternatives and nested quantifiers. */
const pattern = fc.letrec((tie) => ({
  atom: fc.oneof(fc.constantFrom('a', 'aa', 'b', '.', '\\w', '[a-b]', 'a?', '(?=a)', '\\1'), fc.string({ maxLength: 3 })),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('atom'),
    fc.tuple(tie('node'), tie('node')).map(([x, y]) => `(${x}|${y})`),
    fc.tuple(tie('node'), fc.constantFrom('+', '*', '?', '{2,5}', '{300}')).map(([x, q]) => `(${x})${q}`),
    fc.tuple(tie('node'), tie('node')).map(([x, y]) => `${x}${y}`),
  ),
})).node.map((p) => { const text = String(p); return text.length > 200 ? text.slice(0, 200) : text; });

test('every matches: pattern either is a located error or judges a 1,000-character value', { timeout: 60_000 }, () => {
  let judged = 0;
  fc.assert(
    fc.property(pattern, fc.constantFrom('a'.repeat(999) + 'b', 'a'.repeat(1000), 'ab'.repeat(500)), (source, value) => {
      const loaded = loadPolicyFiles(new Map([[file, stringify(rule({ path: 'bucket', matches: source }))]]), 'repo');
      if (loaded.errors.length > 0) {
        assert.ok(loaded.errors.every((e) => e.line >= 1 && (e.path === '' || e.path.startsWith('rules.0'))), JSON.stringify(loaded.errors));
        return;
      }
      const terraform = goodTerraform();
      terraform.resource.aws_s3_bucket = { b: { bucket: value, tags: { 'slipway:component': 'uploads' } } };
      const [result] = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: loaded.rules });
      assert.ok(result.status === 'pass' || result.status === 'fail', `${source}: ${result.status} ${result.message}`);
      judged++;
    }),
    budget(30_000, 300),
  );
  assert.ok(judged >= 50, `only ${judged} patterns were judged`);
});
