/**
 * The PR job's step before evaluateApp: Terraform's plan when it can make one, else why not —
 * never a failed job for something retrying cannot fix.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Runner } from '../../src/runner/create-runner.ts';
import { noRunnerReason, speculativeTerraformPlan } from '../../src/reconcile/speculative-terraform-plan.ts';
import { disposeRunner, testRunner } from '../runner/runner-fixtures.ts';

let runner: Runner & { dataDir: string };
const logs: string[] = [];
before(async () => {
  runner = await testRunner({ state: { kind: 'local' } });
});
after(async () => {
  await disposeRunner(runner);
});

const workspace = { app: 'shop', environment: 'production' };
const doc = { resource: { terraform_data: { a: { input: 'x' } } } };

test('with a runner: Terraform’s plan, marked speculative', async () => {
  const got = await speculativeTerraformPlan({ runner, log: (m) => logs.push(m) }, { workspace, terraform: doc });
  assert.equal(got.inferredBecause, undefined);
  assert.equal(got.terraformPlan?.source.speculative, true);
  assert.deepEqual(got.terraformPlan?.plan.resources.map((r) => `${r.action} ${r.address}`), ['create terraform_data.a']);
});

test('without a runner: the reason, no plan', async () => {
  assert.deepEqual(await speculativeTerraformPlan({ log: (m) => logs.push(m) }, { workspace, terraform: doc }), { inferredBecause: noRunnerReason });
});

test('a runner that cannot even make its folder: the reason, logged, not a thrown error', async () => {
  const file = join(runner.dataDir, 'not-a-folder');
  writeFileSync(file, '');
  const broken: Runner = { ...runner, root: join(file, 'terraform') };
  const got = await speculativeTerraformPlan({ runner: broken, log: (m) => logs.push(m) }, { workspace, terraform: doc });
  assert.equal(got.terraformPlan, undefined);
  assert.match(got.inferredBecause ?? '', /^Terraform could not plan: the runner failed: ENOTDIR/);
  assert.ok(logs.some((m) => m.includes('speculative plan of shop.production failed')));
});

test('a shutdown mid-plan is thrown (the job is retried), not reported as a fallback', async () => {
  const controller = new AbortController();
  controller.abort(new Error('shutting down'));
  await assert.rejects(speculativeTerraformPlan({ runner, log: (m) => logs.push(m) }, { workspace, terraform: doc, signal: controller.signal }), /shutting down/);
});
