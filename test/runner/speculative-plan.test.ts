/**
 * Speculative plans (a pull request's) with the real Terraform binary, on every store engine and
 * with the state where the deploys keep it (pg backend on Postgres, the work folder otherwise):
 * Terraform's own plan against the applied state; no deployment recorded, no state written, no
 * lock taken (an apply in progress, holding the deploy lock and Terraform's state lock, does not
 * hold it up); Terraform's failures as a redacted reason; sensitive values never in the plan.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Runner } from '../../src/runner/create-runner.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { speculativePlan } from '../../src/runner/speculative-plan.ts';
import { workspaceName } from '../../src/runner/workspace.ts';
import { deployments } from '../../src/store/schema.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import { disposeRunner, eventually, groupAlive, readState, recordTestDeployment, testAppDocument, testRunner, testStateBackend, webApp } from './runner-fixtures.ts';

const envCanary = `env-canary-${randomBytes(8).toString('hex')}`;
const tokenCanary = `token-canary-${randomBytes(8).toString('hex')}`;
const passwordCanary = `password-canary-${randomBytes(8).toString('hex')}`;

forEachEngine('speculative plans', (engine) => {
  let runner: Runner & { dataDir: string };
  let dropState: () => Promise<void> = async () => {};
  let gates: string;
  before(async () => {
    const state = await testStateBackend();
    dropState = state.drop;
    gates = mkdtempSync(join(tmpdir(), 'slipway-gates-'));
    runner = await testRunner({
      state: state.state,
      databaseUrl: engine.databaseUrl,
      // What a provider or a variable could echo: Terraform reads TF_VAR_* from its environment.
      env: { ...process.env, AWS_SECRET_ACCESS_KEY: envCanary, TF_VAR_api_token: tokenCanary, TF_VAR_db_password: passwordCanary },
    });
  });
  after(async () => {
    await disposeRunner(runner);
    await dropState();
    rmSync(gates, { recursive: true, force: true });
  });
  const db = () => engine.store().db;
  const deploy = async (app: string, sha: string, doc: TerraformJson) => {
    const { deployment, workspace } = await recordTestDeployment(db(), { app, sha, terraformJson: doc });
    return { workspace, result: runDeployment({ db: db(), runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace }), id: deployment.id };
  };
  const deploymentCount = async () => (await db().select({ id: deployments.id }).from(deployments)).length;
  const leftovers = () => (existsSync(join(runner.root, 'speculative')) ? readdirSync(join(runner.root, 'speculative')) : []);

  test('plans a change against the applied state with Terraform itself, recording nothing and writing no state', async () => {
    const app = unique('shop');
    const { workspace, result } = await deploy(app, 'aaaa111', testAppDocument(webApp(app), 'aaaa111'));
    assert.equal((await result).status, 'succeeded');
    const stateBefore = await readState(runner, workspace);
    const recorded = await deploymentCount();

    const groups: number[] = [];
    const planned = await speculativePlan(runner, { workspace, terraformJson: testAppDocument(webApp(app, ' again'), 'bbbb222'), onProcessGroup: (g) => groups.push(g) });
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    assert.equal(planned.source.kind, 'terraform');
    assert.equal(planned.source.speculative, true);
    assert.match(planned.source.version, /^\d+\.\d+\.\d+/);
    assert.equal(planned.plan.source, 'terraform');
    assert.equal(planned.changes, true);
    const web = planned.plan.resources.find((r) => r.type === 'terraform_data' && r.address.includes('web'));
    assert.ok(web, JSON.stringify(planned.plan.resources.map((r) => r.address)));
    assert.equal(web.action, 'update', 'the resource exists in the state: Terraform updates it, it does not create it');
    // Only Terraform knows this: terraform_data's `output` is recomputed after apply.
    assert.ok(web.changes.some((c) => c.path === 'output' && c.unknownAfter), JSON.stringify(web.changes));
    assert.ok(web.changes.some((c) => c.path.startsWith('input.') && JSON.stringify(c.after).includes('bbbb222')), 'the new image is in the plan');

    assert.deepEqual(await readState(runner, workspace), stateBefore, 'the state is exactly as the apply left it');
    assert.equal(await deploymentCount(), recorded, 'nothing recorded');
    assert.deepEqual(leftovers(), [], 'the speculative folder (and its saved plan) is gone');
    assert.ok(groups.length >= 3, 'init, plan and show ran');
    for (const g of groups) assert.equal(groupAlive(g), false);
  });

  test('a workspace that was never applied: everything is a create, and no state or workspace is made for it', async () => {
    const app = unique('fresh');
    const workspace = { app, environment: 'production' };
    const planned = await speculativePlan(runner, { workspace, terraformJson: testAppDocument(webApp(app), 'cccc333') });
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    assert.ok(planned.plan.resources.length > 0);
    assert.ok(planned.plan.resources.every((r) => r.action === 'create'), JSON.stringify(planned.plan.summary));
    assert.equal(await readState(runner, workspace), undefined, 'no state (pg: no workspace row) was created');
    assert.equal(existsSync(join(runner.root, 'work', workspaceName(workspace))), false, 'the deploy work folder is untouched');
  });

  test('does not wait for an apply in progress: neither the deploy lock nor Terraform’s state lock holds it up', async () => {
    const app = unique('busy');
    const gate = join(gates, `${app}.open`);
    // The apply's provisioner waits for the gate file: it holds both locks until the test opens it.
    const slow: TerraformJson = {
      resource: { terraform_data: { slow: { input: 'v1', provisioner: [{ 'local-exec': { command: `while [ ! -f '${gate}' ]; do sleep 0.05; done` } }] } } },
    };
    const { workspace, result, id } = await deploy(app, 'dddd444', slow);
    await eventually('the apply to be under way', async () => (await findDeployment(db(), id))?.status === 'applying' || undefined);

    const planned = await speculativePlan(runner, { workspace, terraformJson: { resource: { terraform_data: { slow: { input: 'v2' }, other: { input: 'new' } } } } });
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    assert.equal((await findDeployment(db(), id))?.status, 'applying', 'planned while the apply still held its locks');
    assert.deepEqual(planned.plan.resources.map((r) => `${r.action} ${r.address}`).sort(), ['create terraform_data.other', 'create terraform_data.slow'], 'the apply has not written its state yet');

    writeFileSync(gate, '');
    const applied = await result;
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
    const after = await speculativePlan(runner, { workspace, terraformJson: slow });
    assert.ok(after.ok && after.changes === false, 'after the apply, the same document plans no changes');
  });

  test('Terraform’s failure is a one-line reason, its first error, with secrets masked', async () => {
    const app = unique('broken');
    const doc: TerraformJson = {
      variable: { api_token: { type: 'string' } },
      resource: {
        terraform_data: {
          guarded: {
            input: 'x',
            lifecycle: { precondition: [{ condition: '${length(var.api_token) < 5}', error_message: 'api_token ${var.api_token} is too long' }] },
          },
        },
      },
    };
    const planned = await speculativePlan(runner, { workspace: { app, environment: 'production' }, terraformJson: doc });
    assert.equal(planned.ok, false);
    if (planned.ok) return;
    assert.match(planned.reason, /^Resource precondition failed( \(terraform_data\.guarded\))?: api_token \*\*\* is too long$/);
    assert.ok(!JSON.stringify(planned).includes(tokenCanary), 'the variable’s value (an environment secret) is masked');
    assert.deepEqual(leftovers(), []);
  });

  test('init failing offline (a provider it cannot download) is a reason, not a crash', async () => {
    const app = unique('offline');
    const doc: TerraformJson = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.0.0' } } },
      provider: { aws: [{ region: 'us-east-1' }] },
      resource: { terraform_data: { a: { input: 'x' } } },
    };
    const planned = await speculativePlan(runner, { workspace: { app, environment: 'production' }, terraformJson: doc });
    assert.equal(planned.ok, false);
    if (planned.ok) return;
    assert.equal(planned.failure.step, 'init');
    assert.match(planned.reason, /provider|registry/i);
    assert.ok(!planned.reason.includes('\n'));
  });

  test('values Terraform marks sensitive never reach the plan model', async () => {
    const app = unique('sensitive');
    const doc: TerraformJson = {
      variable: { db_password: { type: 'string', sensitive: true } },
      resource: { terraform_data: { holder: { input: { password: '${var.db_password}', user: 'app' } } } },
    };
    const planned = await speculativePlan(runner, { workspace: { app, environment: 'production' }, terraformJson: doc });
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    assert.ok(!JSON.stringify(planned.plan).includes(passwordCanary), 'the sensitive value is not in the plan');
    const holder = planned.plan.resources.find((r) => r.address === 'terraform_data.holder');
    assert.ok(holder?.changes.some((c) => c.sensitive), JSON.stringify(holder?.changes));
  });
});
