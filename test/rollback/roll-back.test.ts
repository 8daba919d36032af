/**
 * Rollback with the real Terraform binary on every store engine: re-applying an earlier
 * deployment's recorded JSON through the runner, holding the commit rolled back from (a re-run of
 * it is refused, a newer commit deploys again), the default target, and the refusals (never
 * succeeded, another app, JSON pruned, unknown commit, nothing earlier). Then `slipway rollback`
 * as a process on an embedded store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { heldCommitGuard, commitHeldReason } from '../../src/rollback/held-commit-guard.ts';
import { rollBack } from '../../src/rollback/roll-back.ts';
import { RollbackRefused } from '../../src/rollback/rollback-refused.ts';
import type { Runner } from '../../src/runner/create-runner.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import type { Db } from '../../src/store/db.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { createDeployment, deploymentHistory, setDeploymentStatus } from '../../src/store/deployments.ts';
import { openStore } from '../../src/store/open-store.ts';
import { findAppEnvironments } from '../../src/store/rollback-targets.ts';
import { deployments } from '../../src/store/schema.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import { recordTestDeployment, runnerForSuite, stateInput, testAppDocument, testRunner, type TestRunner, webApp } from '../runner/runner-fixtures.ts';

/** Record and apply a commit of `app` as the push job would; its id. */
async function deploy(db: Db, runner: Runner, app: string, sha: string, environment = 'production'): Promise<number> {
  const doc = testAppDocument(webApp(app), sha, environment);
  const { deployment, workspace, environmentId } = await recordTestDeployment(db, { app, sha, terraformJson: doc, environment });
  const result = await runDeployment({ db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace, guard: heldCommitGuard(db, { environmentId, commitSha: sha }) });
  assert.equal(result.status, 'succeeded', JSON.stringify(result));
  return deployment.id;
}

async function whereOf(db: Db, app: string, environment = 'production') {
  const [where] = await findAppEnvironments(db, { app, environment });
  assert.ok(where);
  return where;
}

async function refusal(promise: Promise<unknown>): Promise<RollbackRefused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RollbackRefused) return error;
    throw error;
  }
  assert.fail('the rollback was not refused');
}

forEachEngine('rollback', (engine) => {
  let runner: TestRunner;
  runnerForSuite((made) => (runner = made), () => ({ databaseUrl: engine.databaseUrl }));
  const deps = () => ({ db: engine.store().db, runner, log: () => {} });

  test('rolling back to a named deployment applies its recorded JSON, holds the bad commit, and a newer commit deploys again', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    const good = await deploy(db, runner, app, 'aaaa1111');
    const bad = await deploy(db, runner, app, 'bbbb2222');
    const workspace = { app, environment: 'production' };
    assert.equal((await stateInput(runner, workspace, 'web_service'))?.image, `registry.example/${app}:bbbb2222`);

    const where = await whereOf(db, app);
    const outcome = await rollBack(deps(), { where, to: String(good), actor: 'cli:alice', reason: 'slipway rollback' });
    assert.equal(outcome.result.status, 'succeeded', JSON.stringify(outcome.result));
    assert.equal(outcome.target.id, good);
    assert.equal(outcome.live?.id, bad);
    assert.equal(outcome.held, 'bbbb2222');
    // The earlier deployment's JSON is what Terraform applied: the image of commit aaaa1111 again.
    assert.equal((await stateInput(runner, workspace, 'web_service'))?.image, `registry.example/${app}:aaaa1111`);
    const row = await findDeployment(db, outcome.result.deploymentId);
    assert.equal(row?.trigger, 'rollback');
    assert.equal(row?.commitSha, 'aaaa1111');
    assert.equal(row?.status, 'succeeded');
    const history = await deploymentHistory(db, outcome.result.deploymentId);
    assert.deepEqual(history.map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal(history[0]!.actor, 'cli:alice');
    assert.equal(history[0]!.reason, `rollback to deployment ${good} (aaaa111) from deployment ${bad} (bbbb222): slipway rollback`);

    // The held commit: a retried push of it is refused right before it applies, and says why.
    const { deployment: again, environmentId } = await recordTestDeployment(db, { app, sha: 'bbbb2222', terraformJson: testAppDocument(webApp(app), 'bbbb2222') });
    const retried = await runDeployment(deps(), { deploymentId: again.id, terraformJson: testAppDocument(webApp(app), 'bbbb2222'), workspace, guard: heldCommitGuard(db, { environmentId, commitSha: 'bbbb2222' }) });
    assert.equal(retried.status, 'superseded');
    assert.match(retried.reason!, /^commit bbbb222 is held \(rolled back to aaaa111 by deployment \d+: slipway rollback; by cli:alice at .*\): auto deploys skip it until a newer commit lands$/);
    assert.equal((await stateInput(runner, workspace, 'web_service'))?.image, `registry.example/${app}:aaaa1111`);

    // A newer commit is not held.
    assert.equal(await commitHeldReason(db, { environmentId, commitSha: 'cccc3333' }), undefined);
    await deploy(db, runner, app, 'cccc3333');
    assert.equal((await stateInput(runner, workspace, 'web_service'))?.image, `registry.example/${app}:cccc3333`);

    // Rolling to the held commit by name releases its hold: a person judged it good after all.
    const back = await rollBack(deps(), { where, to: 'bbbb2222', actor: 'cli:alice', reason: 'it was fine' });
    assert.equal(back.result.status, 'succeeded');
    assert.equal(back.held, 'cccc3333');
    assert.equal(await commitHeldReason(db, { environmentId, commitSha: 'bbbb2222' }), undefined);
    assert.equal((await stateInput(runner, workspace, 'web_service'))?.image, `registry.example/${app}:bbbb2222`);
  });

  test('by default it returns to the last good deployment before the live one, passing over held commits; by commit it finds the deployment', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    const a = await deploy(db, runner, app, 'a1a1a1a1');
    await deploy(db, runner, app, 'b2b2b2b2');
    const where = await whereOf(db, app);
    const first = await rollBack(deps(), { where, actor: 'slipway', reason: 'regression' });
    assert.equal(first.target.id, a);
    assert.equal(first.held, 'b2b2b2b2');
    await deploy(db, runner, app, 'c3c3c3c3');
    // Live is c3; before it: the rollback to a1 (a deployment of a1), then b2 (held), then a1.
    const second = await rollBack(deps(), { where, actor: 'slipway', reason: 'regression' });
    assert.equal(second.target.id, first.result.deploymentId);
    assert.equal(second.target.commitSha, 'a1a1a1a1');
    // By commit (a prefix of at least 7 characters): the latest successful deployment of it.
    await deploy(db, runner, app, 'd4d4d4d4');
    const third = await rollBack(deps(), { where, to: 'c3c3c3c', actor: 'slipway', reason: 'by commit' });
    assert.equal(third.target.commitSha, 'c3c3c3c3');
    assert.equal(third.result.status, 'succeeded');
    assert.equal((await stateInput(runner, { app, environment: 'production' }, 'web_service'))?.image, `registry.example/${app}:c3c3c3c3`);
  });

  test('a rollback that applies nothing (its plan declined) records it cancelled and holds no commit', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    await deploy(db, runner, app, 'e5e5e5e5');
    await deploy(db, runner, app, 'f6f6f6f6');
    const where = await whereOf(db, app);
    const outcome = await rollBack(deps(), { where, actor: 'cli:bob', reason: 'slipway rollback', approve: async () => 'not confirmed' });
    assert.equal(outcome.result.status, 'cancelled');
    assert.equal(outcome.held, undefined);
    assert.equal(await commitHeldReason(db, { environmentId: where.environmentId, commitSha: 'f6f6f6f6' }), undefined);
  });

  test('a deploy that goes live while a rollback waits is not rolled back over: the rollback ends superseded and holds nothing', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    await deploy(db, runner, app, '5a5a5a5a');
    await deploy(db, runner, app, '6b6b6b6b');
    const where = await whereOf(db, app);
    const outcome = await rollBack(deps(), {
      where,
      actor: 'slipway',
      reason: 'regression',
      // While the rollback holds its plan, another deployment succeeds (as a push finishing first would).
      approve: async () => {
        const other = await createDeployment(db, { appId: where.appId, environmentId: where.environmentId, commitSha: '7c7c7c7c' });
        for (const status of ['planning', 'planned', 'applying', 'succeeded'] as const) await setDeploymentStatus(db, { deploymentId: other.id, status, actor: 'push' });
        return true;
      },
    });
    assert.equal(outcome.result.status, 'superseded');
    assert.match(outcome.result.reason!, /^deployment \d+ \(7c7c7c7\) went live while this rollback waited: not rolled back over it$/);
    assert.equal(outcome.held, undefined);
    assert.equal(await commitHeldReason(db, { environmentId: where.environmentId, commitSha: '6b6b6b6b' }), undefined);
    assert.equal((await stateInput(runner, { app, environment: 'production' }, 'web_service'))?.image, `registry.example/${app}:6b6b6b6b`);
  });

  test('targets that cannot be rolled back to are refused, each saying why', async () => {
    const db = engine.store().db;
    const app = unique('shop');
    const other = unique('api');
    const where0 = { app, environment: 'production' };
    // Nothing deployed yet.
    const first = await deploy(db, runner, app, '11111111');
    const where = await whereOf(db, app);
    assert.equal((await refusal(rollBack(deps(), { where, actor: 'x', reason: 'r' }))).code, 'no_earlier');
    assert.equal((await refusal(rollBack(deps(), { where, to: String(first), actor: 'x', reason: 'r' }))).message, `deployment ${first} (1111111) is what ${app}.production runs now: nothing to roll back`);

    await deploy(db, runner, app, '22222222');
    // Never succeeded.
    const { deployment: failed } = await recordTestDeployment(db, { app, sha: '33333333', terraformJson: testAppDocument(webApp(app), '33333333') });
    await setDeploymentStatus(db, { deploymentId: failed.id, status: 'failed', actor: 'test' });
    const never = await refusal(rollBack(deps(), { where, to: String(failed.id), actor: 'x', reason: 'r' }));
    assert.equal(never.code, 'not_succeeded');
    assert.equal(never.message, `deployment ${failed.id} (3333333) never succeeded (it ended failed): only a deployment that succeeded is a known good state to return to`);
    const neverByCommit = await refusal(rollBack(deps(), { where, to: '3333333', actor: 'x', reason: 'r' }));
    assert.equal(neverByCommit.message, `commit 3333333 was deployed to ${app}.production but never succeeded (deployment ${failed.id}: failed): choose a deployment that succeeded`);
    // Another app's deployment.
    const foreign = await deploy(db, runner, other, '44444444');
    const otherApp = await refusal(rollBack(deps(), { where, to: `#${foreign}`, actor: 'x', reason: 'r' }));
    assert.equal(otherApp.code, 'other_app');
    assert.equal(otherApp.message, `deployment ${foreign} belongs to ${other}.production (acme/${other}), not ${app}.production: a rollback re-applies a deployment of the same app and environment`);
    // Its JSON pruned.
    await db.update(deployments).set({ terraformJson: null }).where(eq(deployments.id, first));
    const pruned = await refusal(rollBack(deps(), { where, to: String(first), actor: 'x', reason: 'r' }));
    assert.equal(pruned.code, 'pruned');
    assert.match(pruned.message, /no longer has its Terraform JSON \(pruned\): it cannot be applied again/);
    // Unknown commit, a reference that is neither, an id that does not exist.
    assert.equal((await refusal(rollBack(deps(), { where, to: 'abcdef0', actor: 'x', reason: 'r' }))).message, `no deployment of commit abcdef0 in ${app}.production: \`slipway deployments --app ${app} --env production\` lists them`);
    assert.equal((await refusal(rollBack(deps(), { where, to: 'main~1', actor: 'x', reason: 'r' }))).code, 'not_found');
    assert.equal((await refusal(rollBack(deps(), { where, to: '#999999999', actor: 'x', reason: 'r' }))).message, `deployment 999999999 does not exist: \`slipway deployments --app ${app} --env production\` lists them`);
    // Nothing was recorded by any refusal, and nothing is held.
    assert.equal(await commitHeldReason(db, { environmentId: where.environmentId, commitSha: '22222222' }), undefined);
    assert.equal((await stateInput(runner, where0, 'web_service'))?.image, `registry.example/${app}:22222222`);
  });
});

describe('slipway rollback as a process', () => {
  const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-rollback-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? dataDir, SLIPWAY_DATA_DIR: dataDir, SLIPWAY_STATE_BACKEND: 'local' };
  const slipway = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  test('rolls the app back to the deployment before, prints the plan and the held commit; refusals exit 1 with the reason', async () => {
    // Two deployments applied into the data folder's embedded store and work folders, as `slipway apply` would leave them.
    const store = await openStore({ dataDir: join(dataDir, 'db') });
    const runner = await testRunner({ state: { kind: 'local' }, dataDir });
    let good: number;
    try {
      good = await deploy(store.db, runner, 'shop', '1a2b3c4d5e');
      await deploy(store.db, runner, 'shop', '9f8e7d6c5b');
    } finally {
      await runner.locks.close();
      await store.close();
    }
    const usage = await slipway(['rollback']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /name the app to roll back/);
    const noTerminal = await slipway(['rollback', 'shop']);
    assert.equal(noTerminal.code, 2);
    assert.match(noTerminal.stderr, /nobody to ask: stdin is not a terminal; pass --auto-approve/);
    const unknown = await slipway(['rollback', 'cart', '--auto-approve']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'slipway rollback: no deployments of cart to production: `slipway deployments` lists what was deployed\n');
    const notFound = await slipway(['rollback', 'shop', '--to', 'deadbee', '--auto-approve']);
    assert.equal(notFound.code, 1);
    assert.match(notFound.stderr, /^slipway rollback: no deployment of commit deadbee in shop\.production/);

    const rolled = await slipway(['rollback', 'shop', '--auto-approve']);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(rolled.stdout, new RegExp(`^Rolling shop\\.production back to deployment ${good} \\(commit 1a2b3c4d5e\\) from deployment \\d+ \\(commit 9f8e7d6c5b\\): deployment \\d+\\n`));
    assert.match(rolled.stdout, /Terraform's plan: 1 to update\n {2}update terraform_data\.web_service_/);
    assert.match(rolled.stdout, /shop · production: rollback succeeded\n {2}commit 9f8e7d6c5b is held: auto deploys skip it until a newer commit lands\n {2}log: slipway logs \d+\n/);
    const listed = await slipway(['deployments', '--app', 'shop']);
    assert.match(listed.stdout.split('\n')[1]!, /^\d+\s+shop\s+production\s+1a2b3c4d5e\s+succeeded/);
  });
});
