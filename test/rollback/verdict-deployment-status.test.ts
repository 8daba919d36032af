/** The verdict as a GitHub Deployment status: the state, and a description GitHub keeps (≤ 140 characters). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeDeploy } from '../../src/rollback/judge-deploy.ts';
import { verdictDeploymentStatus } from '../../src/rollback/verdict-deployment-status.ts';
import { defaultVerdictSettings } from '../../src/rollback/verdict-settings.ts';

const steady = (n: number, level: number) => Array.from({ length: n }, (_, i) => level + (i % 5));

test('inconclusive stays a success (the deploy stays) and says why; a long reason is cut to 140 characters', () => {
  const verdict = judgeDeploy([{ service: 'checkout-service-with-a-long-name', metric: 'latency', before: steady(60, 200), after: [300] }], defaultVerdictSettings);
  assert.equal(verdict.verdict, 'inconclusive');
  const status = verdictDeploymentStatus(verdict, { kind: 'none' }, '15m');
  assert.equal(status.state, 'success');
  assert.ok(status.description.length <= 140, status.description);
  assert.match(status.description, /^Verdict after its 15m watch: inconclusive, not rolled back: latency of checkout-service-with-a-long-name: only 1 sample/);
});

test('a regression names the worst metric and its rise, and whether it was rolled back', () => {
  const verdict = judgeDeploy(
    [
      { service: 'web', metric: 'cpu', before: steady(60, 40), after: steady(15, 60) },
      { service: 'web', metric: 'latency', before: steady(60, 200), after: steady(15, 500) },
    ],
    defaultVerdictSettings,
  );
  assert.equal(verdict.verdict, 'regression');
  assert.deepEqual(verdictDeploymentStatus(verdict, { kind: 'not-rolled-back', reason: 'auto is off' }, '15m'), { state: 'failure', description: 'Regressed: latency of web +148.5 % (median 202 → 502); not rolled back' });
});
