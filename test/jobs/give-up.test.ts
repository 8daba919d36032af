/**
 * A job whose worker died on every attempt (its lease expired each time, so no handler ever saw a
 * failure): a kind with a give-up handler has it run once, and the job is then dead; a kind
 * without one is buried as before; a give-up whose own worker dies is buried. Runs on PGlite and
 * on Postgres when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { claim } from '../../src/jobs/claim.ts';
import { release } from '../../src/jobs/complete.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { runWorker, type JobHandler } from '../../src/jobs/run-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { jobs, type Job } from '../../src/store/schema.ts';
import { forEachEngine, unique, type Engine } from '../store/engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobById = async (db: Db, id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A job claimed `times` times by workers that died holding it (their leases ran out). */
async function diedOnEveryAttempt(db: Db, kind: string, times: number, payload: unknown = {}) {
  const { id } = await enqueue(db, { kind, payload, maxAttempts: times });
  for (let i = 1; i <= times; i++) {
    assert.equal((await claim(db, { workerId: `crashed-${i}`, kinds: [kind], leaseMs: 1 }))?.id, id);
    await sleep(15);
  }
  return id;
}

function start(engine: Engine, handlers: Record<string, JobHandler>, giveUp?: Record<string, JobHandler>) {
  const controller = new AbortController();
  const logs: string[] = [];
  const done = runWorker({ store: engine.store(), handlers, ...(giveUp ? { giveUp } : {}), workerId: unique('worker'), pollMs: 20, leaseMs: 10_000, signal: controller.signal, log: (m) => logs.push(m) });
  return {
    logs,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

forEachEngine('giving up a job whose worker died on every attempt', (engine) => {
  test('its kind’s give-up runs once with the job, never the handler, and the job is dead saying why', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const id = await diedOnEveryAttempt(db, kind, 3, { deployment: 7 });
    const handled: Job[] = [];
    const givenUp: Job[] = [];
    const worker = start(engine, { [kind]: async (job) => void handled.push(job) }, { [kind]: async (job) => void givenUp.push(job) });
    await until('the job to be dead', async () => (await jobById(db, id)).status === 'dead');
    await sleep(100);
    await worker.stop();
    assert.deepEqual(handled, []);
    assert.deepEqual(givenUp.map((j) => [j.id, j.payload]), [[id, { deployment: 7 }]]);
    const row = await jobById(db, id);
    assert.equal(row.lastError, 'lease expired on attempt 3 of 3');
    assert.equal(row.lockedBy, null);
    assert.ok(worker.logs.some((l) => l.includes(`job ${id}`) && l.includes('given up')));
  });

  test('a give-up that throws still leaves the job dead, with its error', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const id = await diedOnEveryAttempt(db, kind, 2);
    let calls = 0;
    const worker = start(engine, { [kind]: async () => {} }, {
      [kind]: async () => {
        calls += 1;
        throw new Error('GitHub is down');
      },
    });
    await until('the job to be dead', async () => (await jobById(db, id)).status === 'dead');
    await sleep(100);
    await worker.stop();
    assert.equal(calls, 1);
    assert.equal((await jobById(db, id)).lastError, 'lease expired on attempt 2 of 2; giving up failed: GitHub is down');
  });

  test('a kind without a give-up is buried; a worker that does not run the kind leaves it to one that does', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const other = unique('other');
    const id = await diedOnEveryAttempt(db, kind, 1);
    // A worker of other kinds (a `slipway reconcile` process) does not decide for this kind.
    assert.equal(await claim(db, { workerId: 'other', kinds: [other], leaseMs: 10_000, giveUpKinds: [other] }), undefined);
    assert.equal((await jobById(db, id)).status, 'running');
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 }), undefined);
    const row = await jobById(db, id);
    assert.deepEqual([row.status, row.lastError], ['dead', 'lease expired on attempt 1 of 1']);
  });

  test('a give-up released on shutdown and claimed by a worker without one is buried; the job itself never runs again', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const id = await diedOnEveryAttempt(db, kind, 2);
    assert.equal((await claim(db, { workerId: 'stopping', kinds: [kind], leaseMs: 10_000, giveUpKinds: [kind] }))?.attempts, 3);
    assert.equal(await release(db, { id, workerId: 'stopping' }), true);
    let handled = 0;
    const worker = start(engine, { [kind]: async () => void (handled += 1) });
    await until('the job to be dead', async () => (await jobById(db, id)).status === 'dead');
    await worker.stop();
    assert.equal(handled, 0, 'the job itself never runs past its attempts');
    assert.equal((await jobById(db, id)).lastError, 'lease expired on attempt 2 of 2');
  });

  test('a give-up whose own worker dies is buried, not given up again', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const id = await diedOnEveryAttempt(db, kind, 1);
    const givingUp = await claim(db, { workerId: 'crashed-again', kinds: [kind], leaseMs: 1, giveUpKinds: [kind] });
    assert.deepEqual([givingUp?.id, givingUp?.attempts], [id, 2]);
    await sleep(15);
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000, giveUpKinds: [kind] }), undefined);
    const row = await jobById(db, id);
    assert.deepEqual([row.status, row.lastError], ['dead', 'lease expired on attempt 1 of 1 and again while giving up']);
  });
});
