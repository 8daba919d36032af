import assert from 'node:assert/strict';
import test from 'node:test';
import { applyApprovals, builtinRules, evaluatePolicies, parseApprovalCommand, staleApprovals, summarizePolicyResults, type PolicyResult } from '../../src/policy/index.ts';
import type { ResourceChange } from '../../src/plan/types.ts';
import { change, config, goodTerraform, plan } from './fixtures.ts';

test('parseApprovalCommand reads rule ids from command lines only', () => {
  assert.deepEqual(parseApprovalCommand('/slipway approve stateful-change-approval'), { ruleIds: ['stateful-change-approval'] });
  assert.deepEqual(parseApprovalCommand('Looks fine.\n  /slipway approve a-rule, other-rule\n/Slipway APPROVE a-rule third-rule'), { ruleIds: ['a-rule', 'other-rule', 'third-rule'] });
  assert.equal(parseApprovalCommand('please /slipway approve x-rule'), null, 'not at the start of a line');
  assert.equal(parseApprovalCommand('> /slipway approve quoted-rule\nthanks'), null, 'a quoted earlier approval is not a new one');
  assert.equal(parseApprovalCommand('```\n/slipway approve in-code\n```'), null, 'not inside a code block');
  assert.equal(parseApprovalCommand('/slipway approve'), null, 'no rule id');
  assert.equal(parseApprovalCommand('/slipway approved-rule'), null);
  assert.deepEqual(parseApprovalCommand('/slipway approve BAD_ID good-id'), { ruleIds: ['good-id'] });
});

function evaluate(changes: ResourceChange[]): PolicyResult[] {
  return evaluatePolicies({ config: config(), environment: 'production', terraform: goodTerraform(), plan: plan(...changes), rules: builtinRules() });
}
const replaceDb = (after: string) =>
  change('aws_db_instance.db_instance', 'replace', [{ path: 'engine_version', before: '15', after, sensitive: false, forcesReplacement: true }]);
const stateful = (results: PolicyResult[]) => results.find((r) => r.ruleId === 'stateful-change-approval')!;

test('an approval for the current fingerprint turns the failure into approved', () => {
  const results = evaluate([replaceDb('16')]);
  const failing = stateful(results);
  assert.equal(failing.status, 'fail');
  const approved = applyApprovals(results, [{ ruleId: failing.ruleId, headSha: 'aaaaaaa1', resultFingerprint: failing.fingerprint! }], 'aaaaaaa1');
  assert.equal(stateful(approved).status, 'approved');
  assert.equal(stateful(approved).approvedAt, 'aaaaaaa1');
  assert.doesNotMatch(stateful(approved).message, /needs approval/);
  assert.equal(approved.filter((r) => r.status === 'approved').length, 1, 'only the approved rule changes');
});

test('a push that leaves the result unchanged keeps the approval; one that changes it invalidates it', () => {
  const first = stateful(evaluate([replaceDb('16')]));
  const approvals = [{ ruleId: first.ruleId, headSha: 'aaaaaaa1', resultFingerprint: first.fingerprint! }];
  // Same faults, other unrelated changes in the plan, resources in another order: same fingerprint.
  const unchanged = evaluate([change('aws_ecs_service.web_service', 'update'), replaceDb('16')]);
  assert.equal(stateful(unchanged).fingerprint, first.fingerprint);
  const carried = stateful(applyApprovals(unchanged, approvals, 'bbbbbbb2'));
  assert.equal(carried.status, 'approved');
  assert.match(carried.message, /unchanged since aaaaaaa/);
  // The replacement is now driven by another version: the facts differ, so the approval is stale.
  const changed = evaluate([replaceDb('17')]);
  assert.notEqual(stateful(changed).fingerprint, first.fingerprint);
  assert.equal(stateful(applyApprovals(changed, approvals, 'ccccccc3')).status, 'fail');
  assert.deepEqual(staleApprovals(changed, approvals), approvals);
  // A second stateful resource joins: also a changed result.
  const grown = evaluate([replaceDb('16'), change('aws_sqs_queue.tasks', 'delete')]);
  assert.equal(stateful(applyApprovals(grown, approvals, 'ddddddd4')).status, 'fail');
});

test('approvals never lift a rule that is not approvable, nor an error result, nor another rule', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_db_instance.db_instance.storage_encrypted = false;
  const results = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: builtinRules() });
  const encrypted = results.find((r) => r.ruleId === 'database-encrypted')!;
  assert.equal(encrypted.status, 'fail');
  assert.equal(encrypted.approvable, false);
  const after = applyApprovals(results, [{ ruleId: 'database-encrypted', headSha: 'x', resultFingerprint: encrypted.fingerprint! }], 'x');
  assert.equal(after.find((r) => r.ruleId === 'database-encrypted')!.status, 'fail');
  const errored: PolicyResult = { ...encrypted, status: 'error', approvable: true };
  assert.equal(applyApprovals([errored], [{ ruleId: errored.ruleId, headSha: 'x', resultFingerprint: errored.fingerprint! }], 'x')[0].status, 'error');
  const failing = stateful(evaluate([replaceDb('16')]));
  assert.equal(stateful(applyApprovals([failing], [{ ruleId: 'other-rule', headSha: 'x', resultFingerprint: failing.fingerprint! }], 'x')).status, 'fail');
});

test('the summary blocks on error-level failures and on rules that could not be evaluated, not on warnings or approvals', () => {
  const base = { description: 'd', remediation: 'r', resources: [], source: 'test', message: 'm' };
  const results: PolicyResult[] = [
    { ...base, ruleId: 'warn', severity: 'warning', status: 'fail' },
    { ...base, ruleId: 'approved', severity: 'error', status: 'approved' },
    { ...base, ruleId: 'skipped', severity: 'error', status: 'pass', notApplicable: true },
  ];
  assert.equal(summarizePolicyResults(results).conclusion, 'success');
  const broken = summarizePolicyResults([...results, { ...base, ruleId: 'broken', severity: 'warning', status: 'error' }]);
  assert.deepEqual([broken.conclusion, broken.blocking.map((r) => r.ruleId)], ['failure', ['broken']]);
  const failing = summarizePolicyResults([...results, { ...base, ruleId: 'needs-ok', severity: 'error', status: 'fail', approvable: true }]);
  assert.deepEqual([failing.conclusion, failing.awaitingApproval.map((r) => r.ruleId), failing.notApplicable.length], ['failure', ['needs-ok'], 1]);
});
