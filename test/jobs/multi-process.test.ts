/**
 * Several worker processes on one Postgres: every job runs exactly once, and a job held by a
 * process killed with SIGKILL is taken over after its lease and completed once. Postgres only
 * (PGlite is one process's database); runs when DATABASE_URL is set, as in CI.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { eq, inArray, sql } from 'drizzle-orm';
import { enqueue, enqueueMany } from '../../src/jobs/enqueue.ts';
import { rowsOf } from '../../src/jobs/rows.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { jobs } from '../../src/store/schema.ts';
import { createTestDatabase, postgresUrl, unique } from '../store/engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

type Worker = { child: ChildProcess; stderr: string[] };

async function startWorker(databaseUrl: string, kind: string, workerId: string, leaseMs = 5_000): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/worker-process.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, KIND: kind, WORKER_ID: workerId, LEASE_MS: String(leaseMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`worker ${workerId} exited: ${stderr.join('')}`);
    if (Date.now() > deadline) throw new Error(`worker ${workerId} did not start: ${stderr.join('')}`);
    await sleep(20);
  }
  return { child, stderr };
}

async function stop(worker: Worker): Promise<number | null> {
  if (worker.child.exitCode !== null) return worker.child.exitCode;
  const exited = once(worker.child, 'exit');
  worker.child.kill('SIGTERM');
  await exited;
  return worker.child.exitCode;
}

const databaseBase = postgresUrl;
// Without a Postgres server there is nothing to run these on: say so as a skip with the reason,
// rather than passing with no test in the file. CI sets DATABASE_URL, so there they run.
const skip = databaseBase ? false : 'DATABASE_URL is not set: the multi-process queue tests need Postgres (PGlite is one process\'s database)';
describe('several worker processes on Postgres', () => {
  let store: Store;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  const workers: Worker[] = [];

  before(async () => {
    if (!databaseBase) return;
    const database = await createTestDatabase(databaseBase);
    databaseUrl = database.url;
    drop = database.drop;
    store = await openStore({ databaseUrl });
    await store.db.execute(sql`create table test_job_runs (job_id bigint primary key, runs int not null, worker text not null)`);
    await store.db.execute(sql`create table test_job_starts (job_id bigint not null, worker text not null)`);
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await store?.close();
    await drop?.();
  });

  test('three worker processes run each of 1,000 jobs exactly once, then stop on SIGTERM', { skip }, async () => {
    const kind = unique('bulk');
    const started = await Promise.all(['a', 'b', 'c'].map((id) => startWorker(databaseUrl, kind, `bulk-${id}`)));
    workers.push(...started);
    await store.db.transaction((tx) => enqueueMany(tx, Array.from({ length: 1_000 }, (_, i) => ({ kind, payload: { i } }))));
    await until(
      '1,000 completed jobs',
      async () => {
        const [row] = await store.db
          .select({ n: sql<number>`count(*)::int` })
          .from(jobs)
          .where(sql`${jobs.kind} = ${kind} and ${jobs.status} = 'completed'`);
        return row!.n === 1_000;
      },
      60_000,
    );
    const codes = await Promise.all(started.map(stop));
    assert.deepEqual(codes, [0, 0, 0], started.map((w) => w.stderr.join('')).join('\n'));
    const runs = rowsOf(
      await store.db.execute(sql`select count(*)::int as jobs, sum(runs)::int as runs, count(distinct worker)::int as workers from test_job_runs`),
    )[0]!;
    assert.equal(runs.jobs, 1_000);
    assert.equal(runs.runs, 1_000, 'no job ran twice');
    assert.equal(runs.workers, 3, 'every process took a share');
  });

  for (const keyed of [false, true]) {
    // Every webhook job has a concurrency key (its app and environment): a keyed job must be
    // taken over too, or it would hang forever and block every later job of its app.
    const title = keyed
      ? 'a job with a concurrency key held by a worker killed with SIGKILL is taken over after its lease, and the job queued on its key is run too'
      : 'a job held by a worker killed with SIGKILL is taken over after its lease and completed once';
    test(title, { skip }, async () => {
      const kind = unique('crash');
      const concurrencyKey = keyed ? unique('app:production') : undefined;
      const victim = await startWorker(databaseUrl, kind, 'victim', 1_000);
      workers.push(victim);
      const { id } = await enqueue(store.db, { kind, payload: { hang: true }, concurrencyKey });
      await until(
        'the victim to start the job',
        async () => rowsOf(await store.db.execute(sql`select 1 from test_job_starts where job_id = ${id}`)).length === 1,
        20_000,
      );
      const next = keyed ? await enqueue(store.db, { kind, concurrencyKey }) : undefined;
      victim.child.kill('SIGKILL');
      await once(victim.child, 'exit');
      const rescuer = await startWorker(databaseUrl, kind, 'rescuer', 1_000);
      workers.push(rescuer);
      const ids = next ? [id, next.id] : [id];
      await until(
        'the jobs to be completed by the rescuer',
        async () => (await store.db.select().from(jobs).where(inArray(jobs.id, ids))).every((j) => j.status === 'completed'),
        20_000,
      );
      assert.equal(await stop(rescuer), 0);
      const [job] = await store.db.select().from(jobs).where(eq(jobs.id, id));
      assert.equal(job!.attempts, 2);
      const runs = rowsOf(await store.db.execute(sql`select job_id, runs, worker from test_job_runs where job_id in (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) order by job_id`));
      assert.deepEqual(runs, ids.map((jobId) => ({ job_id: String(jobId), runs: 1, worker: 'rescuer' })));
    });
  }
});
