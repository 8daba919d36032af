import assert from 'node:assert/strict';
import test from 'node:test';
import { loadAppsFromFiles } from '../../src/config/load.ts';
import { builtinRules, combinePolicies } from '../../src/policy/index.ts';
import { planApp } from '../../src/reconcile/plan-app.ts';

function appIn(region: string) {
  const loaded = loadAppsFromFiles({
    'paas.yaml': [
      'version: 1',
      'name: shop',
      `region: ${region}`,
      'budget: { monthly: 1 }',
      'services:',
      '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 4 }',
    ].join('\n'),
  });
  assert.deepEqual(loaded.errors, []);
  return loaded.apps[0];
}

const policies = combinePolicies({ builtin: builtinRules() });

test('a budget the plan exceeds fails the monthly-budget rule', () => {
  const result = planApp({ app: appIn('us-east-1'), environment: 'production', base: null, policies, sha: 'a'.repeat(40) });
  assert.ok(result.cost && result.cost.monthly > 1, 'four 1 vCPU tasks cost more than $1 a month');
  const budget = result.policies.find((p) => p.ruleId === 'monthly-budget');
  assert.equal(budget?.status, 'fail');
});

test('when the cost cannot be estimated, budget rules say "not evaluated" instead of passing on $0', () => {
  // ap-south-1 has no price table: the estimate throws, and the plan carries a note saying so.
  const result = planApp({ app: appIn('ap-south-1'), environment: 'production', base: null, policies, sha: 'a'.repeat(40) });
  assert.equal(result.cost, undefined);
  assert.match(result.notes.join('\n'), /cost not estimated/);
  const budget = result.policies.find((p) => p.ruleId === 'monthly-budget');
  assert.equal(budget?.status, 'pass');
  assert.equal(budget?.notApplicable, true);
  assert.match(budget?.message ?? '', /not evaluated/);
});

test('a pull request is also judged by preview-only rules on its preview environment', async () => {
  const { previewPolicyResults } = await import('../../src/reconcile/preview-policies.ts');
  const text = (previews: boolean) =>
    [
      'version: 1',
      'name: shop',
      'budget: { preview: 1 }',
      'services:',
      '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 4 }',
      `previews: { enabled: ${previews}, services: { web: { instances: 2 } } }`,
    ].join('\n');
  for (const enabled of [true, false]) {
    const loaded = loadAppsFromFiles({ 'paas.yaml': text(enabled) });
    assert.deepEqual(loaded.errors, []);
    const app = loaded.apps[0];
    const production = planApp({ app, environment: 'production', base: null, policies, sha: 'b'.repeat(40) });
    assert.equal(production.policies.find((r) => r.ruleId === 'preview-budget')?.notApplicable, true, 'production never runs the preview cap');
    const extra = previewPolicyResults({ app, pullRequest: 7, production: production.policies, policies, sha: 'b'.repeat(40) });
    if (!enabled) {
      assert.deepEqual(extra, [], 'no previews, no preview rules');
      continue;
    }
    // Two 1 vCPU / 2 GB tasks cost far more than the $1 cap.
    assert.deepEqual(extra.map((r) => [r.ruleId, r.status]), [['preview-budget', 'fail']]);
    assert.match(extra[0]!.message, /^preview pr-7: /);
  }
});
