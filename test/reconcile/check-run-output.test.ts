import assert from 'node:assert/strict';
import test from 'node:test';
import { loadAppsFromFiles } from '../../src/config/load.ts';
import { evaluateApp } from '../../src/evaluate/evaluate-app.ts';
import { withTerraformPlan } from '../../src/evaluate/with-terraform-plan.ts';
import { readTerraformPlan } from '../../src/plan/read-terraform-plan.ts';
import { checkOutput } from '../../src/reconcile/check-run-output.ts';
import type { Runner } from '../../src/runner/create-runner.ts';
import { terraformPlanOf } from '../../src/runner/terraform-plan-of.ts';

const app = loadAppsFromFiles({ 'paas.yaml': ['version: 1', 'name: shop', 'services:', '  web: { type: web, image: nginx, instances: 2 }'].join('\n') }).apps[0]!;
const sha = 'e'.repeat(40);

test('the check run says whose plan each app’s line counts: the inferred diff and why, or the runner’s Terraform plan', () => {
  const inferred = evaluateApp({ app, environment: 'production', sha, base: null, inferredBecause: 'no Terraform runner is configured' });
  const before = checkOutput({ trigger: 'push', sha, evaluations: [inferred], configErrors: [] });
  assert.match(before.summary, /^- \*\*shop\*\* \(paas\.yaml, production\): [^\n]*to create[^\n]*\n {2}Plan: inferred by Slipway — no Terraform runner is configured$/m);

  // What runDeployment's `show -json` gave: one update, everything else unchanged.
  const address = Object.keys(inferred.terraform.resource?.aws_ecs_service ?? {})[0]!;
  const service = inferred.terraform.resource!.aws_ecs_service![address]!;
  const shown = JSON.stringify({
    format_version: '1.2',
    resource_changes: [{ address: `aws_ecs_service.${address}`, mode: 'managed', type: 'aws_ecs_service', name: address, change: { actions: ['update'], before: { ...service, desired_count: 1 }, after: service } }],
  });
  const runner: Pick<Runner, 'terraform'> = { terraform: { name: 'terraform', path: '/usr/local/bin/terraform', version: '1.11.4' } };
  const terraformPlan = terraformPlanOf(runner, readTerraformPlan(shown, 'terraform show -json'));
  assert.ok(terraformPlan);
  assert.equal(terraformPlanOf(runner, undefined), undefined, 'a run that stopped before planning has no plan to show');
  const applied = checkOutput({ trigger: 'push', sha, evaluations: [withTerraformPlan(inferred, terraformPlan)], configErrors: [] });
  assert.match(applied.summary, /^- \*\*shop\*\* \(paas\.yaml, production\): 1 to update;[^\n]*\n {2}Plan: Terraform 1\.11\.4$/m);
});

test('with a runner, a push’s check run points each recorded app at its deploy check run for Terraform’s plan, instead of offering the inferred diff as the plan', () => {
  const evaluation = evaluateApp({ app, environment: 'production', sha, base: null });
  const checksUrl = `https://github.com/acme/shop/commit/${sha}/checks`;
  const one = checkOutput({ trigger: 'push', sha, evaluations: [evaluation], configErrors: [], runner: true, deployChecks: { checksUrl, manyApps: false } });
  const line = one.summary.split('\n').find((l) => l.startsWith('- **shop**'))!;
  assert.equal(line.startsWith(`- **shop** (paas.yaml, production): Terraform plans and applies it: its plan is in the [\`slipway deploy\`](${checksUrl}) check run; `), true, line);
  assert.doesNotMatch(one.summary, /to create/, 'no inferred counts');
  assert.doesNotMatch(one.summary, /Plan: inferred by Slipway/);
  assert.match(one.summary, /Cost and policies here: on Slipway's inferred diff/);

  const many = checkOutput({ trigger: 'push', sha, evaluations: [evaluation], configErrors: [], runner: true, deployChecks: { checksUrl, manyApps: true } });
  assert.match(many.summary, /\[`slipway deploy: shop\/production`\]/, 'one deploy check run per app when the repository holds several');

  const without = checkOutput({ trigger: 'push', sha, evaluations: [evaluation], configErrors: [], runner: false, deployChecks: { checksUrl, manyApps: false } });
  assert.match(without.summary, /: \d+ to create\b/, 'no runner: the inferred diff is the plan, and says so');
  assert.match(without.summary, /Plan: inferred by Slipway/);
});
