/**
 * The worker loop in its details: the lease it takes, the names of its slots, what happens when
 * another worker takes its job mid-run (the handler is told, the late result does not count), and
 * an idle worker woken by a released job rather than by its poll.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { claim } from '../../src/jobs/claim.ts';
import { release } from '../../src/jobs/complete.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { runWorker, type JobHandler, type WorkerOptions } from '../../src/jobs/run-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { jobs } from '../../src/store/schema.ts';
import { forEachEngine, unique, type Engine } from '../store/engines.ts';
import { storeThroughProxy } from './tcp-proxy.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobById = async (db: Db, id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Start a worker that records its log and the metrics it is told; `stop()` aborts it and waits for it. */
function start(engine: Engine, handlers: Record<string, JobHandler>, options: Partial<WorkerOptions> & { workerId: string }) {
  const controller = new AbortController();
  const logs: string[] = [];
  const outcomes: { kind: string; outcome: string; seconds: number }[] = [];
  const storeErrors: string[] = [];
  const done = runWorker({
    store: engine.store(),
    handlers,
    signal: controller.signal,
    log: (m) => logs.push(m),
    metrics: { job: (kind, outcome, seconds) => outcomes.push({ kind, outcome, seconds }), storeError: (operation) => storeErrors.push(operation) },
    shutdownGraceMs: 1_000,
    ...options,
  });
  return { logs, outcomes, storeErrors, stop: async () => { controller.abort(); await done; } };
}

forEachEngine('worker details', (engine) => {
  test('a worker holds its job for the lease it was given, and names its slots worker/1, worker/2', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const seen: { lockedBy: string | null; leaseLeft: number }[] = [];
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const worker = start(engine, {
      [kind]: async (job) => {
        const [row] = await db.select().from(jobs).where(eq(jobs.id, job.id));
        seen.push({ lockedBy: job.lockedBy, leaseLeft: row!.lockedUntil!.getTime() - Date.now() });
        await gate;
      },
    }, { workerId: 'w', leaseMs: 120_000, concurrency: 2, pollMs: 50 });
    await enqueue(db, { kind });
    await enqueue(db, { kind });
    await until('both jobs running', () => seen.length === 2);
    open();
    await worker.stop();
    assert.deepEqual(seen.map((s) => s.lockedBy).sort(), ['w/1', 'w/2']);
    for (const { leaseLeft } of seen) assert.ok(leaseLeft > 100_000 && leaseLeft <= 121_000, `lease left ${leaseLeft}`);
  });

  test('a single-slot worker claims under its own name', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    let lockedBy: string | null = null;
    const worker = start(engine, { [kind]: async (job) => void (lockedBy = job.lockedBy) }, { workerId: 'solo', pollMs: 50 });
    await enqueue(db, { kind });
    await until('the job', () => lockedBy !== null);
    await worker.stop();
    assert.equal(lockedBy, 'solo');
  });

  test('a handler whose job was taken over is told by its signal, and its late result does not count', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    let reason: unknown;
    const worker = start(engine, {
      [kind]: async (_job, ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = ctx.signal.reason;
      },
    }, { workerId: 'slow', leaseMs: 300, pollMs: 50 });
    const { id } = await enqueue(db, { kind });
    await until('the job to run', async () => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!.status === 'running');
    // Another worker took it over (its lease looked expired to it).
    await db.update(jobs).set({ lockedBy: 'thief', lockedUntil: sql`now() + interval '1 hour'` }).where(eq(jobs.id, id));
    await until('the handler to be told', () => reason !== undefined);
    await until('the late result to be logged', () => worker.logs.some((l) => l.includes(`job ${id} finished after its lease was lost`)));
    await worker.stop();
    assert.match(String((reason as Error).message), new RegExp(`lease on job ${id} lost`));
    const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
    assert.deepEqual([row!.status, row!.lockedBy], ['running', 'thief'], 'still the other worker\'s');
  });

  test('an idle worker is woken by a released job, not by its poll', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const ran: number[] = [];
    const worker = start(engine, { [kind]: async (job) => void ran.push(job.id) }, { workerId: 'idle', pollMs: 60_000 });
    try {
      // Enqueued for later: its notification wakes the worker, which finds nothing due and idles again.
      const { id } = await enqueue(db, { kind, runAt: new Date(Date.now() + 3_600_000) });
      await sleep(500);
      await db.update(jobs).set({ runAt: sql`now()` }).where(eq(jobs.id, id)); // due now, but no notification
      await sleep(500);
      assert.deepEqual(ran, [], 'no wake-up yet: the update sent no notification');
      // Another worker claims it and gives it back (a shutdown): the release notifies.
      assert.equal((await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }))?.id, id);
      assert.equal(await release(db, { id, workerId: 'other' }), true);
      await until('the idle worker to run it', () => ran.length === 1, 10_000);
      assert.deepEqual(ran, [id]);
    } finally {
      await worker.stop();
    }
  });

  test('a worker tells its metrics how each job ended: completed, failed, dead or released, and how long it ran', async () => {
    const { db } = engine.store();
    const [ok, flaky, hangs] = [unique('ok'), unique('flaky'), unique('hangs')];
    let hanging = false;
    const worker = start(engine, {
      [ok]: async () => {
        await sleep(150);
      },
      [flaky]: async () => {
        throw new Error('flaky failed');
      },
      [hangs]: async () => {
        hanging = true;
        await sleep(5_000);
      },
    }, { workerId: 'metered', pollMs: 20, retryBackoff: { baseMs: 5, maxMs: 5 }, shutdownGraceMs: 100 });
    try {
      const done = await enqueue(db, { kind: ok });
      const dies = await enqueue(db, { kind: flaky, maxAttempts: 2 });
      await until('the jobs to end', async () => (await jobById(db, done.id)).status === 'completed' && (await jobById(db, dies.id)).status === 'dead');
      await enqueue(db, { kind: hangs });
      await until('the hanging job to start', () => hanging);
    } finally {
      await worker.stop();
    }
    const ended = (kind: string) => worker.outcomes.filter((o) => o.kind === kind).map((o) => o.outcome);
    assert.deepEqual([ended(ok), ended(flaky), ended(hangs)], [['completed'], ['failed', 'dead'], ['released']]);
    // Seconds, not milliseconds: the handler slept 150 ms.
    const [okRun] = worker.outcomes.filter((o) => o.kind === ok);
    assert.ok(okRun!.seconds >= 0.1 && okRun!.seconds < 600, `${okRun!.seconds} s`);
    assert.deepEqual(worker.storeErrors, [], 'no store operation failed');
  });

  test('a handler can extend its lease by the length it asks, by default the worker\'s; false once the job is lost', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const leaseLeft = async (id: number) => (await jobById(db, id)).lockedUntil!.getTime() - Date.now();
    const seen: Record<string, number | boolean> = {};
    let finished = false;
    // No leaseMs: the worker's default, 30 seconds.
    const worker = start(engine, {
      [kind]: async (job, ctx) => {
        seen.claimed = await leaseLeft(job.id);
        seen.extended = await ctx.extendLease(120_000);
        seen.asked = await leaseLeft(job.id);
        seen.extendedAgain = await ctx.extendLease();
        seen.byDefault = await leaseLeft(job.id);
        await db.update(jobs).set({ lockedBy: 'thief' }).where(eq(jobs.id, job.id)); // taken over
        seen.afterLoss = await ctx.extendLease();
        finished = true;
      },
    }, { workerId: 'extends', pollMs: 50 });
    await enqueue(db, { kind });
    try {
      await until('the handler to finish', () => finished);
    } finally {
      await worker.stop();
    }
    const within = (ms: unknown, expected: number) => typeof ms === 'number' && ms > expected - 10_000 && ms <= expected + 1_000;
    assert.ok(within(seen.claimed, 30_000), `claimed for ${seen.claimed} ms`);
    assert.ok(within(seen.asked, 120_000), `extended to ${seen.asked} ms`);
    assert.ok(within(seen.byDefault, 30_000), `extended by default to ${seen.byDefault} ms`);
    assert.deepEqual([seen.extended, seen.extendedAgain, seen.afterLoss], [true, true, false]);
  });

  if (engine.name === 'postgres') {
    test('a job that ends while the database is away is completed once it is back, and given up after five tries', async () => {
      const { db } = engine.store();
      const kind = unique('kind');
      const { proxy, store } = await storeThroughProxy(engine.databaseUrl!);
      const gates = new Map<number, () => void>();
      const worker = start({ ...engine, store: () => store }, {
        [kind]: (job) => new Promise<void>((resolve) => gates.set(job.id, resolve)),
      }, { workerId: 'outage', pollMs: 30, leaseMs: 60_000 });
      const tries = (id: number) => worker.logs.filter((l) => l.includes(`completing job ${id} failed`));
      try {
        // A short outage: the second try (or a later one) completes the job.
        const brief = await enqueue(db, { kind });
        await until('the first job to run', () => gates.has(brief.id));
        proxy.cut();
        gates.get(brief.id)!();
        await until('a failed completion', () => tries(brief.id).length > 0);
        proxy.restore();
        await until('the first job to complete', async () => (await jobById(db, brief.id)).status === 'completed');
        assert.match(tries(brief.id)[0]!, /, retrying$/);
        // An outage longer than the tries: the worker gives up and the job stays running until its lease expires.
        const long = await enqueue(db, { kind });
        await until('the second job to run', () => gates.has(long.id));
        proxy.cut();
        gates.get(long.id)!();
        await until('five failed completions', () => tries(long.id).length === 5);
        await sleep(1_000);
        proxy.restore();
      } finally {
        await worker.stop();
        await store.close();
        await proxy.close();
      }
      const [long] = [...gates.keys()].slice(-1);
      assert.equal(tries(long!).length, 5, 'five tries, no more');
      assert.deepEqual(tries(long!).map((l) => l.endsWith(', retrying')), [true, true, true, true, false]);
      assert.equal((await jobById(db, long!)).status, 'running', 'left for its lease to expire');
      // Each failed try is counted once; claims the idle slot tried during the outage count as `claim`.
      const [brief] = [...gates.keys()];
      assert.equal(worker.storeErrors.filter((op) => op === 'job_state').length, tries(brief!).length + 5);
      assert.ok(worker.storeErrors.every((op) => op === 'job_state' || op === 'claim'), worker.storeErrors.join());
    });

    test('a worker that starts while the database is away says it polls, and runs jobs once the database is back', async () => {
      const { db } = engine.store();
      const kind = unique('kind');
      const { proxy, store } = await storeThroughProxy(engine.databaseUrl!);
      proxy.cut();
      const ran: number[] = [];
      const worker = start({ ...engine, store: () => store }, { [kind]: async (job) => void ran.push(job.id) }, { workerId: 'starts-early', pollMs: 100 });
      try {
        await until('the failed LISTEN to be logged', () => worker.logs.some((l) => l.includes('cannot LISTEN')));
        proxy.restore();
        const { id } = await enqueue(db, { kind });
        await until('the job to run', () => ran.includes(id));
      } finally {
        await worker.stop();
        await store.close();
        await proxy.close();
      }
      assert.ok(worker.logs.some((l) => /^worker starts-early: cannot LISTEN \(.+\); polling every 100 ms$/.test(l)), worker.logs.join('\n'));
    });
  }
});
