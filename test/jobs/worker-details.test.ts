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
import { runWorker, type JobHandler } from '../../src/jobs/run-worker.ts';
import { jobs } from '../../src/store/schema.ts';
import { forEachEngine, unique, type Engine } from '../store/engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function start(engine: Engine, handlers: Record<string, JobHandler>, options: { workerId: string; leaseMs?: number; pollMs?: number; concurrency?: number }) {
  const controller = new AbortController();
  const logs: string[] = [];
  const done = runWorker({ store: engine.store(), handlers, signal: controller.signal, log: (m) => logs.push(m), shutdownGraceMs: 1_000, ...options });
  return { logs, stop: async () => { controller.abort(); await done; } };
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
});
