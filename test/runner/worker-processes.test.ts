/**
 * The runner across processes, with the real Terraform binary: a worker SIGKILLed mid-apply leaves
 * no process and no lock behind, its deployment is found `interrupted` (at the next start-up on the
 * embedded store, by the next run on Postgres) and the next run applies; on Postgres, two worker
 * processes running one app and environment take turns.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { recoverInterrupted } from '../../src/runner/interrupt-abandoned.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { workspaceName } from '../../src/runner/workspace.ts';
import { deploymentHistory } from '../../src/store/deployments.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { deploymentEvents } from '../../src/store/schema.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { createTestDatabase, postgresUrl, unique } from '../store/engines.ts';
import { eventually, groupAlive, processesWith, readState, recordTestDeployment, testAppDocument, testRunner, testStateBackend, webApp } from './runner-fixtures.ts';
import type { StateBackend } from '../../src/settings/runner-settings.ts';

const script = new URL('./runner-process.ts', import.meta.url).pathname;

type Worker = { child: ChildProcess; groups: number[]; done: Promise<string> };

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const groups: number[] = [];
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/^pgid (\d+)$/gm)) if (!groups.includes(Number(m[1]))) groups.push(Number(m[1]));
      const finished = /^done (\w+)$/m.exec(out);
      if (finished) resolve(finished[1]!);
    });
    child.on('exit', (code, signal) => setTimeout(() => reject(new Error(`worker exited ${code ?? signal} before it finished: ${err}`)), 100));
  });
  done.catch(() => {});
  return { child, groups, done };
}

const sleepingApp = (marker: string): TerraformJson => ({
  resource: { terraform_data: { slow: { input: 'x', provisioner: [{ 'local-exec': { command: `sleep ${marker}` } }] } } },
});

/** Advisory locks anyone holds in the state database (Terraform's pg backend locks with them). */
async function advisoryLocksIn(state: StateBackend): Promise<number> {
  if (state.kind !== 'pg') return 0;
  const client = new pg.Client({ connectionString: state.databaseUrl.replace(/\?.*$/, '') });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = current_database()`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

for (const engine of postgresUrl ? ['pglite', 'postgres'] as const : ['pglite'] as const) {
  describe(`runner worker processes (${engine})`, () => {
    let state: StateBackend;
    let dropState: () => Promise<void>;
    let dropStore: () => Promise<void> = async () => {};
    let storeTarget: string;
    let runnerDataDir: string;
    before(async () => {
      ({ state, drop: dropState } = await testStateBackend());
      runnerDataDir = mkdtempSync(join(tmpdir(), 'slipway-runner-procs-'));
      if (engine === 'postgres') {
        const created = await createTestDatabase(postgresUrl!);
        storeTarget = created.url;
        dropStore = created.drop;
      } else storeTarget = join(runnerDataDir, 'db');
    });
    after(async () => {
      rmSync(runnerDataDir, { recursive: true, force: true });
      await dropStore();
      await dropState();
    });
    const open = (): Promise<Store> => openStore(engine === 'postgres' ? { databaseUrl: storeTarget } : { dataDir: storeTarget });
    const workerEnv = (deploymentId: number, app: string) => ({
      STORE: storeTarget,
      RUNNER_DATA_DIR: runnerDataDir,
      STATE: JSON.stringify(state),
      DEPLOYMENT_ID: String(deploymentId),
      APP: app,
      ENVIRONMENT: 'production',
    });

    test('a worker SIGKILLed mid-apply leaves no process and no lock; its deployment is interrupted and the next run applies', async () => {
      const app = unique('shop');
      const marker = `300.${Math.floor(Math.random() * 1e6)}`;
      let store = await open();
      const doc = sleepingApp(marker);
      const { deployment } = await recordTestDeployment(store.db, { app, sha: 'dead000', terraformJson: doc });
      // The embedded store is one process's: the worker takes it over.
      if (engine === 'pglite') await store.close();

      const worker = startWorker(workerEnv(deployment.id, app));
      await eventually('the apply’s provisioner to start', () => processesWith(marker).length > 0 || undefined, 60_000);
      worker.child.kill('SIGKILL');
      await new Promise((resolve) => worker.child.once('exit', resolve));

      // The watchdog interrupts the orphaned Terraform, then kills what is left of its group.
      await eventually('Terraform’s processes to go', () => (worker.groups.every((g) => !groupAlive(g)) && processesWith(marker).length === 0) || undefined);
      assert.equal(await advisoryLocksIn(state), 0, 'no state lock left');

      if (engine === 'pglite') store = await open(); // a restart: the data folder's lock was the dead worker's
      const runner = await testRunner({ state, dataDir: runnerDataDir, ...(engine === 'postgres' ? { databaseUrl: storeTarget } : {}) });
      const lock = await runner.locks.tryAcquire(workspaceName({ app, environment: 'production' }));
      assert.ok(lock, 'no deploy lock left');
      await lock.release();
      assert.equal((await findDeployment(store.db, deployment.id))?.status, 'applying', 'as the dead worker left it');
      const recovered = await recoverInterrupted(store.db, runner.locks);
      assert.deepEqual(recovered.map((d) => d.id), [deployment.id]);
      const history = await deploymentHistory(store.db, deployment.id);
      assert.deepEqual(history.map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'interrupted']);

      const fixed = testAppDocument(webApp(app), 'live001');
      const next = await recordTestDeployment(store.db, { app, sha: 'live001', terraformJson: fixed });
      const result = await runDeployment({ db: store.db, runner, log: () => {} }, { deploymentId: next.deployment.id, terraformJson: fixed, workspace: next.workspace });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
      // Whatever the interrupted apply left of its resource (tainted, or nothing), the state now holds the new app only.
      const applied = await readState(runner, next.workspace);
      assert.deepEqual(applied?.resources.map((r) => r.name.replace(/_[0-9A-F]{8}$/, '')), ['web_service']);
      await runner.locks.close();
      await store.close();
    });

    if (engine === 'postgres') {
      test('two worker processes running one app and environment take turns, the second planning after the first applied', async () => {
        const app = unique('shop');
        const store = await open();
        try {
          const first = testAppDocument(webApp(app), 'p000001');
          const second = testAppDocument(webApp(app), 'p000002');
          const a = await recordTestDeployment(store.db, { app, sha: 'p000001', terraformJson: first });
          const b = await recordTestDeployment(store.db, { app, sha: 'p000002', terraformJson: second });
          const workers = [startWorker(workerEnv(a.deployment.id, app)), startWorker(workerEnv(b.deployment.id, app))];
          assert.deepEqual(await Promise.all(workers.map((w) => w.done)), ['succeeded', 'succeeded']);
          const events = await store.db.select().from(deploymentEvents);
          const at = (id: number, status: string) => events.find((e) => e.deploymentId === id && e.status === status)!.id;
          const [earlier, later] = at(a.deployment.id, 'planning') < at(b.deployment.id, 'planning') ? [a, b] : [b, a];
          assert.ok(at(earlier.deployment.id, 'succeeded') < at(later.deployment.id, 'planning'), 'one run at a time');
          const plan = (await findDeployment(store.db, later.deployment.id))!.terraformPlan as { resources: Array<{ action: string }> };
          assert.deepEqual(plan.resources.map((r) => r.action), ['update'], 'the later one planned against what the earlier applied');
        } finally {
          await store.close();
        }
      });
    }
  });
}
