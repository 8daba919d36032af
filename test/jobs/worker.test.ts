import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, inArray } from 'drizzle-orm';
import { enqueue, enqueueMany } from '../../src/jobs/enqueue.ts';
import { runWorker, type JobHandler, type WorkerOptions } from '../../src/jobs/run-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { jobs } from '../../src/store/schema.ts';
import { storeThroughProxy as proxiedStore } from './tcp-proxy.ts';
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

/** Start a worker; `stop()` aborts it and waits for the loop to end. */
function start(engine: Engine, handlers: Record<string, JobHandler>, extra: Partial<WorkerOptions> = {}) {
  const controller = new AbortController();
  const logs: string[] = [];
  const done = runWorker({
    store: engine.store(),
    handlers,
    workerId: unique('worker'),
    pollMs: 60_000, // so that prompt pick-ups prove the NOTIFY wake-up, not polling
    leaseMs: 10_000,
    signal: controller.signal,
    log: (msg) => logs.push(msg),
    ...extra,
  });
  return {
    logs,
    stop: async () => {
      controller.abort();
      await done;
    },
    abort: () => controller.abort(),
    done,
  };
}

forEachEngine('worker', (engine) => {
  test('an idle worker is woken by the enqueue and runs the job', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const seen: unknown[] = [];
    const worker = start(engine, { [kind]: async (job) => void seen.push(job.payload) });
    await sleep(50); // let it go idle
    const { id } = await enqueue(db, { kind, payload: { n: 1 } });
    await until('the job to complete', async () => (await jobById(db, id)).status === 'completed', 3_000);
    await worker.stop();
    assert.deepEqual(seen, [{ n: 1 }]);
  });

  test('a failing job is retried with backoff and dead after its attempts, and the worker carries on', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    let calls = 0;
    const worker = start(
      engine,
      {
        [kind]: async (job) => {
          calls += 1;
          if ((job.payload as { fail: boolean }).fail) throw new Error(`attempt ${job.attempts} failed`);
        },
      },
      { retryBackoff: { baseMs: 5, maxMs: 5 }, pollMs: 20 },
    );
    const bad = await enqueue(db, { kind, payload: { fail: true }, maxAttempts: 3 });
    await until('the failing job to die', async () => (await jobById(db, bad.id)).status === 'dead');
    const good = await enqueue(db, { kind, payload: { fail: false } });
    await until('the next job to complete', async () => (await jobById(db, good.id)).status === 'completed');
    await worker.stop();
    const row = await jobById(db, bad.id);
    assert.deepEqual([row.attempts, row.lastError], [3, 'attempt 3 failed']);
    assert.equal(calls, 4);
    assert.ok(worker.logs.some((l) => l.includes(`job ${bad.id}`) && l.includes('dead')));
  });

  test('jobs run in parallel up to the concurrency, but never two with the same key', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    let running = 0;
    let most = 0;
    const runningKeys = new Set<string>();
    let keyOverlap = false;
    const worker = start(
      engine,
      {
        [kind]: async (job) => {
          running += 1;
          most = Math.max(most, running);
          if (job.concurrencyKey) {
            if (runningKeys.has(job.concurrencyKey)) keyOverlap = true;
            runningKeys.add(job.concurrencyKey);
          }
          await sleep(150);
          if (job.concurrencyKey) runningKeys.delete(job.concurrencyKey);
          running -= 1;
        },
      },
      { concurrency: 3, pollMs: 20 },
    );
    const ids = await enqueueMany(db, [
      ...Array.from({ length: 6 }, () => ({ kind })),
      ...Array.from({ length: 3 }, () => ({ kind, concurrencyKey: key })),
    ]);
    await until('all jobs to complete', async () => {
      const rows = await db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, ids.map((r) => r.id)));
      return rows.every((r) => r.status === 'completed');
    });
    await worker.stop();
    assert.equal(most, 3);
    assert.equal(keyOverlap, false);
  });

  test('a job that outlives its lease keeps it: the lease is extended while it runs', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    let runs = 0;
    const handler: JobHandler = async () => {
      runs += 1;
      await sleep(1_000);
    };
    const a = start(engine, { [kind]: handler }, { leaseMs: 300, pollMs: 20 });
    const b = start(engine, { [kind]: handler }, { leaseMs: 300, pollMs: 20 });
    const { id } = await enqueue(db, { kind });
    await until('the job to complete', async () => (await jobById(db, id)).status === 'completed');
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(runs, 1);
    assert.equal((await jobById(db, id)).attempts, 1);
  });

  test('on shutdown, a handler that finishes in time completes its job', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    let started = false;
    const worker = start(engine, {
      [kind]: async (_job, ctx) => {
        started = true;
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        await sleep(30); // wrap up
      },
    });
    const { id } = await enqueue(db, { kind });
    await until('the job to start', () => started);
    await worker.stop();
    assert.equal((await jobById(db, id)).status, 'completed');
  });

  test('on shutdown, a handler that gives up or overruns the grace period has its job released', async () => {
    const { db } = engine.store();
    const [quits, hangs] = [unique('kind'), unique('kind')];
    const started = new Set<string>();
    const worker = start(
      engine,
      {
        [quits]: async (_job, ctx) => {
          started.add(quits);
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
          throw new Error('aborted');
        },
        [hangs]: async () => {
          started.add(hangs);
          await sleep(5_000);
        },
      },
      { concurrency: 2, shutdownGraceMs: 100 },
    );
    const [q, h] = await enqueueMany(db, [{ kind: quits }, { kind: hangs }]);
    await until('both jobs to start', () => started.size === 2);
    await worker.stop();
    for (const { id } of [q!, h!]) {
      const row = await jobById(db, id);
      assert.deepEqual([row.status, row.attempts, row.lockedBy], ['queued', 0, null]);
    }
    assert.ok(worker.logs.some((l) => l.includes('released')));
  });

  if (engine.name === 'postgres') {
    const storeThroughProxy = () => proxiedStore(engine.databaseUrl!);

    test('when the database goes away mid-run, the worker logs, retries with backoff and carries on', async () => {
      const { db } = engine.store();
      const kind = unique('kind');
      const { proxy, store, storeLog } = await storeThroughProxy();
      const done: number[] = [];
      const worker = start({ ...engine, store: () => store }, { [kind]: async (job) => void done.push(job.id) }, { pollMs: 30 });
      try {
        const first = await enqueue(db, { kind });
        await until('the first job', () => done.includes(first.id));
        proxy.cut();
        await until('a failed claim to be logged', () => worker.logs.some((l) => l.includes('claiming failed')));
        proxy.restore();
        const second = await enqueue(db, { kind });
        await until('the second job', () => done.includes(second.id), 5_000);
      } finally {
        await worker.stop();
        await store.close();
        await proxy.close();
      }
      assert.ok(worker.logs.some((l) => /claiming failed .*retrying in \d+ ms/.test(l)), worker.logs.join('\n'));
    });

    test('an idle worker whose LISTEN connection was lost is woken again once it is back', async () => {
      const { db } = engine.store();
      const kind = unique('kind');
      const { proxy, store, storeLog } = await storeThroughProxy();
      const done: number[] = [];
      // Polling far slower than the test: only notifications can get the job started in time.
      const worker = start({ ...engine, store: () => store }, { [kind]: async (job) => void done.push(job.id) }, { pollMs: 60_000 });
      try {
        const first = await enqueue(db, { kind });
        await until('the first job', () => done.includes(first.id));
        await sleep(300); // completed, claimed nothing more: idle
        proxy.cut();
        await until('the lost LISTEN to be noticed', () => storeLog.some((l) => l.includes('LISTEN connection lost')));
        const second = await enqueue(db, { kind }); // its NOTIFY reaches nobody
        proxy.restore();
        await until('the second job', () => done.includes(second.id), 5_000);
        assert.ok(storeLog.some((l) => l.includes('LISTEN connection restored')), storeLog.join('\n'));
      } finally {
        await worker.stop();
        await store.close();
        await proxy.close();
      }
    });
  }
});
