import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployCheckOutput, serviceUrl } from '../../src/deploy/deploy-check-output.ts';
import { judgeRequiredChecks } from '../../src/deploy/required-checks.ts';

test('a deployment may apply once every named check succeeded, by check run or by commit status', () => {
  assert.deepEqual(judgeRequiredChecks(['build', 'ci/test'], [{ name: 'build', kind: 'check_run', state: 'success' }, { name: 'ci/test', kind: 'status', state: 'success' }]), { state: 'success' });
  assert.deepEqual(judgeRequiredChecks(['build'], [{ name: 'build', kind: 'check_run', state: 'skipped' }]), { state: 'success' }, 'skipped passes, as GitHub’s required checks take it');
});

test('a check not reported yet, or still running, keeps it waiting; one that ended otherwise fails it, naming the check', () => {
  assert.deepEqual(judgeRequiredChecks(['build', 'lint'], [{ name: 'build', kind: 'check_run', state: 'pending' }]), { state: 'pending', pending: ['build', 'lint'] });
  assert.deepEqual(judgeRequiredChecks(['build', 'lint'], [{ name: 'lint', kind: 'check_run', state: 'success' }, { name: 'build', kind: 'check_run', state: 'timed_out' }]), { state: 'failure', name: 'build', conclusion: 'timed_out' });
  assert.deepEqual(judgeRequiredChecks(['ci'], [{ name: 'ci', kind: 'status', state: 'error' }]), { state: 'failure', name: 'ci', conclusion: 'error' });
});

test('a check run counts before a commit status of the same name', () => {
  assert.deepEqual(judgeRequiredChecks(['build'], [{ name: 'build', kind: 'status', state: 'failure' }, { name: 'build', kind: 'check_run', state: 'success' }]), { state: 'success' });
});

test('the service URL is the first web URL output; sensitive and non-URL outputs are not', () => {
  assert.equal(serviceUrl({ web_url: { sensitive: false, value: 'https://web.example' }, admin_url: { sensitive: true } }), 'https://web.example');
  assert.equal(serviceUrl({ api_url: { sensitive: false, value: 'not a url' } }), undefined);
  assert.equal(serviceUrl(null), undefined);
});

test('the deploy check: a failure names the step and the resource; a planned manual deployment offers Apply; waiting names the checks', () => {
  const base = { app: 'shop', environment: 'production', deploymentId: 7, sha: 'a'.repeat(40), mode: 'auto' as const, after: [] };
  const failed = deployCheckOutput({ ...base, status: 'failed', failure: { step: 'apply', message: 'boom', address: 'terraform_data.web' } });
  assert.equal(failed.conclusion, 'failure');
  assert.equal(failed.title, 'Apply failed at terraform_data.web');
  assert.match(failed.summary, /slipway logs 7/);
  const manual = deployCheckOutput({ ...base, mode: 'manual', status: 'planned' });
  assert.deepEqual(manual.actions.map((a) => a.identifier), ['apply']);
  assert.equal(deployCheckOutput({ ...base, status: 'planned' }).actions.length, 0, 'auto deployments have no button');
  const waiting = deployCheckOutput({ ...base, after: ['build'], status: 'waiting', waitMs: 1_800_000 });
  assert.equal(waiting.title, 'Waiting for build');
  assert.match(waiting.summary, /at most 30 min/);
});
