/**
 * The runner end to end with the real Terraform binary, on every store engine: what a run records
 * (statuses, plan, log, outputs, failures), what reaches Terraform's state, the guards before an
 * apply, cancellation and time limits, and the order of runs of one app and environment.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Runner } from '../../src/runner/create-runner.ts';
import { runDeployment, type RunDeploymentInput } from '../../src/runner/run-deployment.ts';
import { CancelRun } from '../../src/runner/runner-error.ts';
import { terraformEnvironment } from '../../src/runner/terraform-environment.ts';
import { workspaceName } from '../../src/runner/workspace.ts';
import { deploymentHistory, setDeploymentStatus } from '../../src/store/deployments.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { deploymentEvents, deployments } from '../../src/store/schema.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import {
  eventually,
  groupAlive,
  logText,
  processesWith,
  readState,
  recordTestDeployment,
  disposeRunner,
  stateInput,
  testAppDocument,
  testRunner,
  testStateBackend,
  webApp,
} from './runner-fixtures.ts';

const envCanary = `env-canary-${randomBytes(8).toString('hex')}`;
const callerCanary = `caller-canary-${randomBytes(8).toString('hex')}`;
const variableCanary = `variable-canary-${randomBytes(8).toString('hex')}`;

/** A unique sleep length: finds the provisioner's process, and only it, in /proc. */
const sleepMarker = () => `300.${Math.floor(Math.random() * 1e6)}`;

/** A terraform_data resource whose creation runs `command` (a local-exec provisioner). */
const provisioned = (command: string, extra: TerraformJson = {}): TerraformJson => ({
  ...extra,
  resource: { terraform_data: { ...extra.resource?.terraform_data, slow: { input: 'x', provisioner: [{ 'local-exec': { command } }] } } },
});

forEachEngine('the Terraform runner', (engine) => {
  let runner: Runner & { dataDir: string };
  let dropState: () => Promise<void> = async () => {};
  before(async () => {
    const state = await testStateBackend();
    dropState = state.drop;
    runner = await testRunner({ state: state.state, databaseUrl: engine.databaseUrl, env: { ...process.env, AWS_SECRET_ACCESS_KEY: envCanary } });
  });
  after(async () => {
    await disposeRunner(runner);
    await dropState();
  });
  const deps = () => ({ db: engine.store().db, runner, log: () => {} });
  const run = (input: RunDeploymentInput) => runDeployment(deps(), input);
  const record = (app: string, sha: string, terraformJson: TerraformJson) => recordTestDeployment(engine.store().db, { app, sha, terraformJson });

  test('plans, applies and succeeds, recording the steps, Terraform’s plan, the log and the service URL', async () => {
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), 'c0ffee1');
    const { deployment, workspace } = await record(app, 'c0ffee1', doc);
    const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    assert.equal(result.changes, true);
    const url = `https://web.${app}.production.slipway.internal`;
    assert.deepEqual(result.outputs, { web_url: { sensitive: false, value: url } });

    const db = engine.store().db;
    const row = await findDeployment(db, deployment.id);
    assert.equal(row?.status, 'succeeded');
    assert.deepEqual(row?.outputs, { web_url: { sensitive: false, value: url } });
    assert.ok(row?.finishedAt instanceof Date);
    assert.deepEqual((await deploymentHistory(db, deployment.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'succeeded']);
    const [stored] = await db.select({ plan: deployments.terraformPlan }).from(deployments).where(eq(deployments.id, deployment.id));
    const plan = stored!.plan as { source: string; resources: Array<{ address: string; action: string }> };
    assert.equal(plan.source, 'terraform');
    assert.deepEqual(plan.resources.map((r) => r.action), ['create']);
    assert.match(plan.resources[0]!.address, /^terraform_data\.web_service_/);

    const log = await logText(db, deployment.id);
    assert.match(log, /Terraform has been successfully initialized/);
    assert.match(log, /Plan: 1 to add, 0 to change, 0 to destroy/);
    assert.match(log, /Apply complete! Resources: 1 added, 0 changed, 0 destroyed/);

    const input = await stateInput(runner, workspace, 'web_service');
    assert.equal(input?.image, `registry.example/${app}:c0ffee1`);
    assert.equal(input?.memory_mib, 1024);
    assert.deepEqual(input?.instances, { min: 2, max: 2 });
    assert.deepEqual(input?.env, { GREETING: 'hello' });
  });

  test('a code-only push applies the new commit’s image in place, and a run with nothing to change applies nothing', async () => {
    const app = unique('shop');
    const first = testAppDocument(webApp(app), 'aaaa111');
    const one = await record(app, 'aaaa111', first);
    assert.equal((await run({ deploymentId: one.deployment.id, terraformJson: first, workspace: one.workspace })).status, 'succeeded');
    const second = testAppDocument(webApp(app), 'bbbb222');
    const two = await record(app, 'bbbb222', second);
    const result = await run({ deploymentId: two.deployment.id, terraformJson: second, workspace: two.workspace });
    assert.equal(result.status, 'succeeded');
    // terraform_data's `output` follows its input: known again only after the apply.
    assert.deepEqual(result.plan?.resources.map((r) => [r.action, r.changes.map((c) => c.path)]), [['update', ['input.image', 'output']]]);
    assert.equal((await stateInput(runner, two.workspace, 'web_service'))?.image, `registry.example/${app}:bbbb222`);

    const serial = (await readState(runner, two.workspace))!.serial;
    const three = await record(app, 'bbbb222', second);
    const again = await run({ deploymentId: three.deployment.id, terraformJson: second, workspace: three.workspace });
    assert.equal(again.status, 'succeeded');
    assert.equal(again.changes, false);
    assert.equal(again.plan?.summary.update, 0);
    assert.equal((await readState(runner, three.workspace))!.serial, serial, 'the state was not written');
    assert.deepEqual(again.outputs?.web_url, { sensitive: false, value: `https://web.${app}.production.slipway.internal` });
  });

  test('init runs once per backend and providers: the folder’s next run and a new app skip it, and what Terraform refuses is initialised afresh', async () => {
    // A version constraint of its own gives these documents an init key no other test shares.
    const constraint = `>= 1.6.0, != 1.0.${Math.floor(Math.random() * 1e9)}`;
    const docOf = (app: string, sha: string): TerraformJson => {
      const doc = testAppDocument(webApp(app), sha);
      return { ...doc, terraform: { ...doc.terraform, required_version: constraint } };
    };
    const db = engine.store().db;
    const deploy = async (app: string, sha: string) => {
      const doc = docOf(app, sha);
      const { deployment, workspace } = await record(app, sha, doc);
      const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
      return { log: await logText(db, deployment.id), workspace };
    };
    const folderOf = (app: string) => join(runner.root, 'work', workspaceName({ app, environment: 'production' }));

    const first = unique('shop');
    const one = await deploy(first, 'aaaa111');
    assert.doesNotMatch(one.log, /init skipped/, 'the first run of a key initialises');
    assert.match(one.log, /Terraform has been successfully initialized/);
    const key = readFileSync(join(folderOf(first), '.terraform', 'slipway-init-key'), 'utf8');
    assert.ok(existsSync(join(runner.root, 'init-templates', key, '.terraform')), 'what it made is the key’s template');

    const two = await deploy(first, 'bbbb222');
    assert.match(two.log, /already initialised for this backend and these providers: init skipped/);
    assert.equal((await stateInput(runner, two.workspace, 'web_service'))?.image, `registry.example/${first}:bbbb222`);

    const other = unique('shop');
    const three = await deploy(other, 'cccc333');
    assert.match(three.log, /initialised from an earlier init of the same backend and providers: init skipped/);
    assert.doesNotMatch(three.log, /Terraform has been successfully initialized/);
    assert.equal((await stateInput(runner, three.workspace, 'web_service'))?.image, `registry.example/${other}:cccc333`);

    // The folder's record of its backend is gone: Terraform refuses to plan without `init`.
    rmSync(join(folderOf(other), '.terraform', 'terraform.tfstate'));
    const four = await deploy(other, 'dddd444');
    assert.match(four.log, /the plan failed after init was skipped: initialising afresh and planning again/);
    assert.match(four.log, /Terraform has been successfully initialized/);
    assert.equal((await stateInput(runner, four.workspace, 'web_service'))?.image, `registry.example/${other}:dddd444`);
  });

  test('paas.yaml strings reach the state as the literal text, never as Terraform expressions', async () => {
    const app = unique('shop');
    const hostile = '${file("/etc/passwd")} %{ if true }x%{ endif } $${sha}';
    const yaml = `version: 1
name: ${app}
services:
  web:
    type: web
    image: 'registry.example/app:%{ if true }yes%{ endif }'
    command: ['echo', '\${path.cwd}']
    env:
      TRICK: '${hostile}'
`;
    const doc = testAppDocument(yaml, 'abc1234');
    const { deployment, workspace } = await record(app, 'abc1234', doc);
    const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    const input = await stateInput(runner, workspace, 'web_service');
    assert.deepEqual(input?.env, { TRICK: hostile });
    assert.equal(input?.image, 'registry.example/app:%{ if true }yes%{ endif }');
    assert.deepEqual(input?.command, ['echo', '${path.cwd}']);
  });

  test('two runs of one app and environment take turns, and the second plans against what the first applied', async () => {
    const app = unique('shop');
    const first = testAppDocument(webApp(app), '1111111');
    const second = testAppDocument(webApp(app), '2222222');
    const a = await record(app, '1111111', first);
    const b = await record(app, '2222222', second);
    const [ra, rb] = await Promise.all([
      run({ deploymentId: a.deployment.id, terraformJson: first, workspace: a.workspace }),
      run({ deploymentId: b.deployment.id, terraformJson: second, workspace: b.workspace }),
    ]);
    assert.equal(ra.status, 'succeeded');
    assert.equal(rb.status, 'succeeded');
    const db = engine.store().db;
    const events = await db.select().from(deploymentEvents).where(eq(deploymentEvents.deploymentId, a.deployment.id));
    const eventsB = await db.select().from(deploymentEvents).where(eq(deploymentEvents.deploymentId, b.deployment.id));
    const at = (list: typeof events, status: string) => list.find((e) => e.status === status)!.id;
    // Whichever got the lock first finished before the other started planning.
    const [firstRun, secondRun, secondEvents, firstEvents] =
      at(events, 'planning') < at(eventsB, 'planning') ? [ra, rb, eventsB, events] : [rb, ra, events, eventsB];
    assert.ok(at(firstEvents, 'succeeded') < at(secondEvents, 'planning'), 'the second planned only after the first succeeded');
    assert.deepEqual(firstRun.plan?.resources.map((r) => r.action), ['create']);
    assert.deepEqual(secondRun.plan?.resources.map((r) => r.action), ['update'], 'planned against the applied state');
    assert.match(await logText(db, secondRun.deploymentId), /waiting for another run of .* to finish/);
    const image = (await stateInput(runner, a.workspace, 'web_service'))?.image;
    assert.equal(image, secondRun === rb ? `registry.example/${app}:2222222` : `registry.example/${app}:1111111`);
  });

  test('a saved plan made stale by another apply is superseded, and nothing of it is applied', async () => {
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), 'ccccccc');
    const { deployment, workspace } = await record(app, 'ccccccc', doc);
    const name = workspaceName(workspace);
    const dir = join(runner.root, 'work', name);
    const result = await run({
      deploymentId: deployment.id,
      terraformJson: doc,
      workspace,
      // Between the plan and the apply, someone applies another configuration to the same state.
      guard: async () => {
        const current = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
        writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ terraform: current.terraform, resource: { terraform_data: { intruder: { input: 'by hand' } } } }));
        const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state: runner.state, workspace: name });
        const byHand = spawnSync(runner.terraform.path, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
        assert.equal(byHand.status, 0, byHand.stderr);
        return { ok: true };
      },
    });
    assert.equal(result.status, 'superseded');
    assert.match(result.reason ?? '', /Saved plan is stale/);
    assert.equal(result.failure, undefined);
    const state = await readState(runner, workspace);
    assert.deepEqual(state?.resources.map((r) => r.name), ['intruder']);
    assert.deepEqual((await deploymentHistory(engine.store().db, deployment.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'superseded']);
  });

  test('the caller’s guard refusing right before the apply supersedes the run, and nothing is applied', async () => {
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), 'ddddddd');
    const { deployment, workspace } = await record(app, 'ddddddd', doc);
    const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace, guard: async () => ({ ok: false, reason: 'ddddddd is no longer the head of main (eeeeeee is)' }) });
    assert.equal(result.status, 'superseded');
    assert.equal(result.reason, 'ddddddd is no longer the head of main (eeeeeee is)');
    assert.equal(result.plan?.summary.create, 1, 'it planned');
    assert.equal((await readState(runner, workspace))?.resources.length ?? 0, 0, 'it applied nothing');
  });

  test('a person declining the plan cancels the run; plan-only stops at planned', async () => {
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), 'fffffff');
    const one = await record(app, 'fffffff', doc);
    const declined = await run({ deploymentId: one.deployment.id, terraformJson: doc, workspace: one.workspace, approve: async (plan) => (plan.summary.create === 1 ? 'declined by octocat' : true) });
    assert.equal(declined.status, 'cancelled');
    assert.equal(declined.reason, 'declined by octocat');
    const two = await record(app, 'fffffff', doc);
    const planned = await run({ deploymentId: two.deployment.id, terraformJson: doc, workspace: two.workspace, planOnly: true });
    assert.equal(planned.status, 'planned');
    assert.equal((await readState(runner, two.workspace))?.resources.length ?? 0, 0);
    // The push job records deployments `planned`; the runner plans them afresh and applies.
    const applied = await run({ deploymentId: two.deployment.id, terraformJson: doc, workspace: two.workspace });
    assert.equal(applied.status, 'succeeded');
    assert.deepEqual((await deploymentHistory(engine.store().db, two.deployment.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'planning', 'planned', 'applying', 'succeeded']);
  });

  test('a failing apply fails with Terraform’s first error and the resource’s address, and no secret reaches the log', async () => {
    const app = unique('shop');
    const doc: TerraformJson = {
      variable: { password: { type: 'string', default: variableCanary, sensitive: true } },
      resource: {
        terraform_data: {
          keeps: { input: '${var.password}' },
          broken: { input: 'x', provisioner: [{ 'local-exec': { command: `echo "key=$AWS_SECRET_ACCESS_KEY caller=${callerCanary}"; exit 3` } }] },
        },
      },
    };
    const { deployment, workspace } = await record(app, '0000001', doc);
    const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace, secrets: [callerCanary] });
    assert.equal(result.status, 'failed');
    assert.equal(result.failure?.step, 'apply');
    assert.equal(result.failure?.address, 'terraform_data.broken');
    assert.equal(result.failure?.message, 'local-exec provisioner error');
    assert.match(result.failure?.detail ?? '', /exit status 3/);

    const db = engine.store().db;
    const row = await findDeployment(db, deployment.id);
    assert.deepEqual(row?.failure, result.failure);
    const log = await logText(db, deployment.id);
    assert.match(log, /key=\*\*\* caller=\*\*\*/, 'the provisioner’s output is there, masked');
    const [stored] = await db.select({ plan: deployments.terraformPlan, failure: deployments.failure, outputs: deployments.outputs }).from(deployments).where(eq(deployments.id, deployment.id));
    const events = await deploymentHistory(db, deployment.id);
    for (const text of [log, JSON.stringify(stored), JSON.stringify(events), JSON.stringify(result)]) {
      for (const canary of [envCanary, callerCanary, variableCanary]) assert.ok(!text.includes(canary), `${canary} leaked`);
    }
  });

  test('a document Terraform rejects fails at plan with Terraform’s message', async () => {
    const app = unique('shop');
    const doc: TerraformJson = { resource: { terraform_data: { x: { input: '${var.missing}' } } } };
    const { deployment, workspace } = await record(app, '0000002', doc);
    const result = await run({ deploymentId: deployment.id, terraformJson: doc, workspace });
    assert.equal(result.status, 'failed');
    assert.equal(result.failure?.step, 'plan');
    assert.equal(result.failure?.message, 'Reference to undeclared input variable');
  });

  test('a provider that cannot be installed fails at init, through the operator’s CLI configuration', async () => {
    const mirror = join(runner.dataDir, 'mirror');
    const rc = join(runner.dataDir, 'mirror.tfrc');
    writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.invalid/*/*"]\n  }\n}\n`);
    const mirrored = { ...runner, cliConfigFile: rc };
    const app = unique('shop');
    const doc: TerraformJson = { terraform: { required_providers: { thing: { source: 'registry.invalid/acme/thing' } } }, provider: { thing: [{}] } };
    const { deployment, workspace } = await record(app, '0000003', doc);
    const result = await runDeployment({ db: engine.store().db, runner: mirrored, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace });
    assert.equal(result.status, 'failed');
    assert.equal(result.failure?.step, 'init');
    assert.equal(result.failure?.message, 'Failed to query available provider packages');
    assert.ok(result.failure?.detail?.includes(mirror), 'the mirror named in SLIPWAY_TERRAFORM_CONFIG was searched');
  });

  test('cancelling mid-apply interrupts Terraform, leaves no process behind, and the next run applies afresh', async () => {
    const app = unique('shop');
    const marker = sleepMarker();
    // The shell ignores SIGINT and SIGTERM (so does its sleep): only the group SIGKILL ends them.
    const doc = provisioned(`trap '' INT TERM; sleep ${marker}`);
    const { deployment, workspace } = await record(app, '0000004', doc);
    const groups: number[] = [];
    const controller = new AbortController();
    const running = run({ deploymentId: deployment.id, terraformJson: doc, workspace, signal: controller.signal, onProcessGroup: (g) => groups.push(g) });
    await eventually('the provisioner to start', () => processesWith(marker).length > 0 || undefined);
    controller.abort(new Error('operator pressed cancel'));
    const result = await running;
    assert.equal(result.status, 'interrupted');
    assert.deepEqual(processesWith(marker), []);
    for (const g of groups) assert.equal(groupAlive(g), false, `process group ${g} is gone`);

    const next = await record(app, '0000005', testAppDocument(webApp(app), '0000005'));
    const after = await run({ deploymentId: next.deployment.id, terraformJson: testAppDocument(webApp(app), '0000005'), workspace: next.workspace });
    assert.equal(after.status, 'succeeded', JSON.stringify(after.failure));
  });

  test('a command that outlives the time limit is stopped, fails, and leaves no process behind', async () => {
    const quick = await testRunner({ state: runner.state, databaseUrl: engine.databaseUrl, timeoutMs: 3_000, graceMs: 1_000, dataDir: runner.dataDir });
    const app = unique('shop');
    const marker = sleepMarker();
    const doc = provisioned(`sleep ${marker}`);
    const { deployment, workspace } = await record(app, '0000006', doc);
    const groups: number[] = [];
    const result = await runDeployment({ db: engine.store().db, runner: quick, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace, onProcessGroup: (g) => groups.push(g) });
    assert.equal(result.status, 'failed');
    assert.equal(result.failure?.step, 'apply');
    assert.equal(result.failure?.message, 'terraform apply did not finish within 3 s and was stopped');
    assert.deepEqual(processesWith(marker), []);
    for (const g of groups) assert.equal(groupAlive(g), false);
    await quick.locks.close();
  });

  test('a newer commit superseding a run that waits for the lock ends it before it plans; an apply in progress is not stopped by it', async () => {
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), '0000007');
    const waiting = await record(app, '0000007', doc);
    const lock = await runner.locks.acquire(workspaceName(waiting.workspace));
    const controller = new AbortController();
    const running = run({ deploymentId: waiting.deployment.id, terraformJson: doc, workspace: waiting.workspace, signal: controller.signal });
    await eventually('the run to wait for the lock', async () => (await logText(engine.store().db, waiting.deployment.id)).includes('waiting for another run') || undefined);
    controller.abort(new CancelRun('superseded', 'superseded by 0000008'));
    const result = await running;
    await lock.release();
    assert.equal(result.status, 'superseded');
    assert.deepEqual((await deploymentHistory(engine.store().db, waiting.deployment.id)).map((e) => e.status), ['queued', 'superseded']);

    // During the apply, the same abort is ignored: the apply finishes.
    const marker = sleepMarker().replace(/^300/, '2');
    const slow = provisioned(`sleep ${marker}`);
    const applying = await record(app, '0000009', slow);
    const late = new AbortController();
    const run2 = run({ deploymentId: applying.deployment.id, terraformJson: slow, workspace: applying.workspace, signal: late.signal });
    await eventually('the provisioner to start', () => processesWith(marker).length > 0 || undefined);
    late.abort(new CancelRun('superseded', 'superseded by 0000010'));
    assert.equal((await run2).status, 'succeeded');
  });

  test('a deployment left applying by a dead process is interrupted by the next run, and never applied again', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    const doc = testAppDocument(webApp(app), '1000001');
    const dead = await record(app, '1000001', doc);
    for (const status of ['planning', 'planned', 'applying'] as const) await setDeploymentStatus(db, { deploymentId: dead.deployment.id, status, actor: 'test' });
    const next = await record(app, '1000002', doc);
    const result = await run({ deploymentId: next.deployment.id, terraformJson: doc, workspace: next.workspace });
    assert.equal(result.status, 'succeeded');
    const left = await findDeployment(db, dead.deployment.id);
    assert.equal(left?.status, 'interrupted');
    // Retrying the dead one (its job's lease ran out) does not apply it either.
    const retried = await run({ deploymentId: dead.deployment.id, terraformJson: doc, workspace: dead.workspace });
    assert.equal(retried.status, 'interrupted');
    assert.equal(retried.plan, undefined);
    // And one found applying by its own retry, with no run in between, is not applied again.
    const alone = await record(app, '1000003', doc);
    for (const status of ['planning', 'planned', 'applying'] as const) await setDeploymentStatus(db, { deploymentId: alone.deployment.id, status, actor: 'test' });
    const own = await run({ deploymentId: alone.deployment.id, terraformJson: doc, workspace: alone.workspace });
    assert.equal(own.status, 'interrupted');
    assert.equal(own.plan, undefined);
  });
});
