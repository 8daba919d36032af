// Drift made outside Slipway (the state changed with `terraform state pull/push`, as a hand-run
// script would) is found by the reconcile tick with real Terraform, reported quantified (the
// resource, the attribute, the value outside and the value applied; secrets masked) as a check run
// and one GitHub issue per app and environment, which closes when the drift is gone: fixed by
// hand (heal: false), or re-applied through the runner in the same tick (heal: true).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { requestTick, waitForJob } from '../../src/reconcile/tick-job.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { terraformEnvironment } from '../../src/runner/terraform-environment.ts';
import { workspaceName, type Workspace } from '../../src/runner/workspace.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { createDeployment } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { findTickOfJob } from '../../src/store/reconcile-ticks.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { deployments, driftChecks } from '../../src/store/schema.ts';
import { repositoryPayload } from '../harness/payloads.ts';
import { startHarness, type Harness } from '../e2e/service-harness.ts';
import { stateInput, testAppDocument, testStateBackend } from '../runner/runner-fixtures.ts';

const run = promisify(execFile);
let h: Harness;
let dropState: () => Promise<void> = async () => {};
before(async () => {
  const backend = await testStateBackend();
  dropState = backend.drop;
  // Terraform on the PATH (the harness hides it unless asked).
  h = await startHarness({ runner: { state: backend.state, timeoutMs: 120_000 } }, { env: process.env });
  assert.ok(h.service.deps.runner, 'the drift tests need Terraform on the PATH');
});
after(async () => {
  await h?.close();
  await dropState();
});

const db = () => h.service.deps.store.db;

async function tick() {
  const jobId = await requestTick(db());
  const job = await waitForJob(db(), jobId, { pollMs: 50 });
  assert.equal(job.status, 'completed', job.lastError ?? '');
  return (await findTickOfJob(db(), jobId))!.summary!;
}

const appYaml = (name: string, drift: string) => `version: 1
name: ${name}
drift: ${drift}
services:
  web:
    type: web
    image: "registry.example/${name}:\${sha}"
    cpu: 0.25
    memory: 512Mi
    env:
      GREETING: hello
      API_TOKEN: tok-live-51ab9c
`;

/** An app applied for real (through the runner, as a push deploys it), its repository tracked by the tick. */
async function appliedApp(name: string, drift: string) {
  const fullName = `drift/${name}`;
  const repo = await h.repo(fullName);
  const yaml = appYaml(name, drift);
  const sha = await repo.commit({ 'paas.yaml': yaml });
  const repositoryId = repositoryPayload({ fullName }).id;
  await upsertInstallation(db(), { id: repo.installationId, accountLogin: 'drift' });
  await upsertRepositories(db(), repo.installationId, [{ id: repositoryId, fullName, defaultBranch: 'main' }]);
  const app = await getOrCreateApp(db(), { repositoryId, name });
  const environment = await getOrCreateEnvironment(db(), { appId: app.id, name: 'production' });
  const terraformJson = testAppDocument(yaml, sha);
  const deployment = await createDeployment(db(), { appId: app.id, environmentId: environment.id, commitSha: sha, terraformJson });
  const workspace: Workspace = { app: name, environment: 'production' };
  const result = await runDeployment({ db: db(), runner: h.service.deps.runner!, log: () => {} }, { deploymentId: deployment.id, terraformJson, workspace });
  assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  return { repo, fullName, sha, workspace, environmentId: environment.id, deploymentId: deployment.id };
}

/** Change the web service's recorded inputs with `terraform state pull` / `push`: a change made outside Slipway. */
async function editState(workspace: Workspace, edit: (input: Record<string, unknown>) => void) {
  const runner = h.service.deps.runner!;
  const name = workspaceName(workspace);
  const dir = join(runner.root, 'work', name);
  const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state: runner.state, workspace: name });
  const { stdout } = await run(runner.terraform.path, ['state', 'pull'], { cwd: dir, env });
  const state = JSON.parse(stdout);
  state.serial += 1;
  const web = state.resources.find((r: { type: string; name: string }) => r.type === 'terraform_data' && r.name.startsWith('web'));
  for (const key of ['input', 'output']) edit(web.instances[0].attributes[key].value);
  const file = join(dir, 'edited.tfstate');
  writeFileSync(file, JSON.stringify(state));
  await run(runner.terraform.path, ['state', 'push', file], { cwd: dir, env });
  return `terraform_data.${web.name}`;
}

const issueOf = (repo: string) => h.github.issues.filter((i) => i.repo === repo);
const driftRuns = (repo: string) => h.github.checkRuns.filter((r) => r.repo === repo && r.name.startsWith('slipway drift:'));

describe('drift', () => {
  it('reports the attribute that differs as a check run and one issue, keeps secrets out, and closes the issue once fixed by hand', async () => {
    const app = await appliedApp('console-edit', '{ every: 6h, heal: false }');
    // No drift yet: checked, clean, nothing on GitHub.
    const clean = await tick();
    assert.equal(clean.driftChecked, 1, JSON.stringify(clean));
    assert.equal(clean.drifted, 0);
    assert.equal(issueOf(app.fullName).length, 0);

    const address = await editState(app.workspace, (input) => {
      input.cpu = 2;
      (input.env as Record<string, unknown>).API_TOKEN = 'tok-stolen-77aa01';
    });
    // Not due yet (every 6h); once due, found.
    assert.equal((await tick()).driftChecked, 0);
    await db().update(driftChecks).set({ checkedAt: new Date(Date.now() - 7 * 3_600_000) }).where(eq(driftChecks.environmentId, app.environmentId));
    const found = await tick();
    assert.equal(found.drifted, 1, JSON.stringify(found));
    assert.equal(found.healed, 0);

    const [check] = await db().select().from(driftChecks).where(eq(driftChecks.environmentId, app.environmentId));
    assert.equal(check?.status, 'drifted');
    const report = check!.report as { resources: Array<{ address: string; attributes: Array<{ path: string; outside: unknown; desired: unknown; sensitive: boolean }> }>; counts: { resources: number; attributes: number } };
    assert.deepEqual(report.counts, { resources: 1, attributes: 2 });
    assert.equal(report.resources[0]!.address, address);
    const cpu = report.resources[0]!.attributes.find((a) => a.path === 'input.cpu');
    assert.deepEqual(cpu, { path: 'input.cpu', outside: 2, desired: 0.25, sensitive: false });
    const token = report.resources[0]!.attributes.find((a) => a.path === 'input.env.API_TOKEN');
    assert.deepEqual(token, { path: 'input.env.API_TOKEN', outside: '(sensitive)', desired: '(sensitive)', sensitive: true });

    const issues = issueOf(app.fullName);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.state, 'open');
    assert.equal(issues[0]!.title, 'Drift: console-edit (production)');
    assert.match(issues[0]!.body, /1 resource and 2 attributes differ/);
    assert.match(issues[0]!.body, /\| `input\.cpu` \| `2` \| `0\.25` \|/);
    const runs = driftRuns(app.fullName);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.conclusion, 'failure');
    assert.equal(runs[0]!.head_sha, app.sha);
    for (const text of [issues[0]!.body, runs[0]!.output.summary ?? '', JSON.stringify(report)]) {
      assert.ok(!text.includes('tok-live-51ab9c') && !text.includes('tok-stolen-77aa01'), 'no secret value in the report');
    }

    // Still drifted on the next due check: the same issue, edited in place, not a second one.
    await editState(app.workspace, (input) => {
      input.memory_mib = 4096;
    });
    await db().update(driftChecks).set({ checkedAt: new Date(Date.now() - 7 * 3_600_000) }).where(eq(driftChecks.environmentId, app.environmentId));
    await tick();
    assert.equal(issueOf(app.fullName).length, 1);
    assert.match(issueOf(app.fullName)[0]!.body, /input\.memory_mib/);

    // Put back by hand: the next check finds nothing, and the issue is closed.
    await editState(app.workspace, (input) => {
      input.cpu = 0.25;
      input.memory_mib = 512;
      (input.env as Record<string, unknown>).API_TOKEN = 'tok-live-51ab9c';
    });
    await db().update(driftChecks).set({ checkedAt: new Date(Date.now() - 7 * 3_600_000) }).where(eq(driftChecks.environmentId, app.environmentId));
    await tick();
    assert.equal(issueOf(app.fullName)[0]!.state, 'closed');
    const [after] = await db().select().from(driftChecks).where(eq(driftChecks.environmentId, app.environmentId));
    assert.equal(after?.status, 'clean');
    assert.equal(driftRuns(app.fullName).at(-1)?.conclusion, 'success');
  });

  it('heals with heal: true — re-applies through the runner in the same tick, then closes the issue it opened', async () => {
    const app = await appliedApp('self-heal', '{ heal: true }');
    await tick(); // first check: clean
    await editState(app.workspace, (input) => {
      input.instances = { min: 9, max: 9 };
    });
    await db().update(driftChecks).set({ checkedAt: new Date(Date.now() - 25 * 3_600_000) }).where(eq(driftChecks.environmentId, app.environmentId));
    const summary = await tick();
    assert.equal(summary.drifted, 1, JSON.stringify(summary));
    assert.equal(summary.healed, 1, JSON.stringify(summary));
    // The heal is a deployment of its own, through the runner: recorded, succeeded.
    const heals = await db().select().from(deployments).where(eq(deployments.trigger, 'drift-heal'));
    const heal = heals.find((d) => d.environmentId === app.environmentId);
    assert.equal(heal?.status, 'succeeded');
    assert.equal(heal?.commitSha, app.sha);
    assert.deepEqual((await stateInput(h.service.deps.runner!, app.workspace, 'web'))?.instances, { min: 1, max: 1 });
    // The issue was opened with what drifted, then closed after the heal.
    const issues = issueOf(app.fullName);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.state, 'closed');
    assert.match(issues[0]!.body, new RegExp(`deployment ${heal!.id} re-applied`));
    const runs = driftRuns(app.fullName);
    assert.deepEqual(runs.map((r) => r.conclusion), ['failure', 'success']);
    const [check] = await db().select().from(driftChecks).where(eq(driftChecks.environmentId, app.environmentId));
    assert.equal(check?.status, 'clean');
    assert.equal(check?.healDeploymentId, heal!.id);
  });
});
