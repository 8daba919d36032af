// `slipway status` and `slipway reconcile` as processes, on an embedded data folder written first
// through the store (as the service would have left it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { createDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { saveDriftCheck } from '../../src/store/drift-checks.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { openStore } from '../../src/store/open-store.ts';
import { finishTick, startTick } from '../../src/store/reconcile-ticks.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { saveHeads } from '../../src/store/repository-heads.ts';
import { updatePreview, upsertPreview } from '../../src/store/previews.ts';
import { databaseDir } from '../../src/store/store-options.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
let dataDir: string;

function slipway(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dataDir, env: { PATH: process.env.PATH!, HOME: process.env.HOME!, SLIPWAY_DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const applied = 'a'.repeat(40);
const head = 'b'.repeat(40);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'slipway-status-'));
  const store = await openStore({ dataDir: databaseDir(dataDir) });
  const db = store.db;
  await upsertInstallation(db, { id: 7, accountLogin: 'acme' });
  await upsertRepositories(db, 7, [{ id: 70, fullName: 'acme/shop', defaultBranch: 'main' }]);
  await saveHeads(db, [{ repositoryId: 70, branch: 'main', sha: head, etag: 'W/"x"', problem: null }]);
  const app = await getOrCreateApp(db, { repositoryId: 70, name: 'shop' });
  const production = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
  const deployment = await createDeployment(db, { appId: app.id, environmentId: production.id, commitSha: applied });
  for (const status of ['planning', 'planned', 'applying', 'succeeded'] as const) await setDeploymentStatus(db, { deploymentId: deployment.id, status, actor: 'test' });
  await saveDriftCheck(db, { environmentId: production.id, appId: app.id, deploymentId: deployment.id, status: 'drifted', report: {}, checkedAt: new Date('2026-12-01T10:00:00Z'), everyMinutes: 360, heal: false, issueNumber: 12 });
  await getOrCreateEnvironment(db, { appId: app.id, name: 'pr-4', kind: 'preview', pullRequest: 4 });
  // A preview whose destroy did not finish: listed until it is gone.
  const stuck = await getOrCreateEnvironment(db, { appId: app.id, name: 'pr-5', kind: 'preview', pullRequest: 5 });
  await upsertPreview(db, { environmentId: stuck.id, appId: app.id, pullRequest: 5, headSha: head, fork: false, lastPushAt: new Date('2026-12-01T09:00:00Z'), ttlSeconds: 259_200, githubEnvironment: 'pr-5' });
  await updatePreview(db, stuck.id, { state: 'destroy-failed', destroyAttempts: 2, retryAt: new Date('2026-12-01T11:00:00Z'), reason: 'the destroy did not finish: terraform apply failed', monthlyUsd: 73, costSoFarUsd: 4.5 });
  const tick = await startTick(db, null);
  await finishTick(db, tick.id, { redelivered: 0, redeliveryRefused: 0, deliveriesSeen: 0, polled: 1, notModified: 1, enqueued: 0, deferred: 0, driftChecked: 0, drifted: 0, healed: 0, pruned: {}, problems: ['acme/gone: repository not found'] });
  await store.close();
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('slipway status', () => {
  it('shows per app and environment the desired and applied commit, whether they match, drift with its issue, and the last tick', async () => {
    const { code, stdout, stderr } = await slipway(['status']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n\n')[0]!.split('\n');
    assert.match(lines[0]!, /^last reconcile tick: \d{4}-\d\d-\d\dT[\d:]+Z \(1 problems\)$/);
    assert.match(lines[1]!, /^REPOSITORY\s+APP\s+ENV\s+DESIRED\s+APPLIED\s+IN SYNC\s+LATEST\s+DRIFT\s+DRIFT CHECKED$/);
    assert.equal(lines.length, 3, 'previews are not listed');
    assert.deepEqual(lines[2]!.split(/\s{2,}/), ['acme/shop', 'shop', 'production', head.slice(0, 12), applied.slice(0, 12), 'no', 'succeeded', 'drifted (#12)', '2026-12-01T10:00:00Z']);
  });

  it('lists a preview whose destroy did not finish, with its attempts, next try and why', async () => {
    const { code, stdout, stderr } = await slipway(['status']);
    assert.equal(code, 0, stderr);
    const [, previews] = stdout.trim().split('\n\n');
    const lines = previews!.split('\n');
    assert.equal(lines[0], 'previews:');
    assert.match(lines[1]!, /^REPOSITORY\s+APP\s+ENV\s+PR\s+STATE\s+PRICE\/MONTH\s+COST SO FAR\s+EXPIRES\s+WHY$/);
    assert.deepEqual(lines[2]!.split(/\s{2,}/), ['acme/shop', 'shop', 'pr-5', '#5', 'destroy-failed (2x, retry 2026-12-01T11:00:00Z)', '$73.00', '$4.50', '-', 'the destroy did not finish: terraform apply failed']);
    assert.equal(lines.length, 3, 'a preview with no row (never planned) is not listed');
  });

  it('gives the same as JSON, with the last tick’s problems', async () => {
    const { code, stdout } = await slipway(['status', '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    assert.deepEqual(parsed.lastTick.problems, ['acme/gone: repository not found']);
    assert.equal(parsed.environments[0].appliedSha, applied);
    assert.equal(parsed.environments[0].drift, 'drifted');
  });

  it('refuses an argument it does not take', async () => {
    const { code, stderr } = await slipway(['status', 'extra']);
    assert.equal(code, 2);
    assert.match(stderr, /unexpected argument "extra"/);
  });
});

describe('slipway reconcile', () => {
  it('asks for --once (the service runs ticks by itself)', async () => {
    const { code, stderr } = await slipway(['reconcile']);
    assert.equal(code, 2);
    assert.match(stderr, /say --once/);
  });

  it('names the settings that are missing, and exits 1 without touching the store', async () => {
    const { code, stderr } = await slipway(['reconcile', '--once']);
    assert.equal(code, 1);
    assert.match(stderr, /APP_ID is required/);
  });
});
