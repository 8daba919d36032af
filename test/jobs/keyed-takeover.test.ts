/**
 * A crashed worker's job is taken over after its lease, also when it has a concurrency key: every
 * webhook job has one (its app and environment), so a keyed job that could not be taken over
 * would hang forever and block every later job of its app. Runs on PGlite (in this thread and in
 * a store thread) and on Postgres when DATABASE_URL is set; the cross-process version with a real
 * SIGKILL is in multi-process.test.ts (Postgres only).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { claim } from '../../src/jobs/claim.ts';
import { complete } from '../../src/jobs/complete.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { runWorker } from '../../src/jobs/run-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { jobs } from '../../src/store/schema.ts';
import { forEachEngine, unique } from '../store/engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobById = async (db: Db, id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

forEachEngine('keyed job takeover', (engine) => {
  test('a keyed job whose lease expired is taken over by another worker', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const { id } = await enqueue(db, { kind, concurrencyKey: key });
    assert.equal((await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 }))?.id, id);
    await sleep(20);
    const taken = await claim(db, { workerId: 'healthy', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual([taken?.id, taken?.attempts, taken?.lockedBy], [id, 2, 'healthy']);
    assert.equal(await complete(db, { id, workerId: 'crashed' }), false, 'the crashed holder lost it');
    assert.equal(await complete(db, { id, workerId: 'healthy' }), true);
  });

  test('the expired keyed job is taken over before the queued job waiting on its key, which runs after it', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const held = await enqueue(db, { kind, concurrencyKey: key });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 });
    const waiting = await enqueue(db, { kind, concurrencyKey: key });
    await sleep(20);
    const first = await claim(db, { workerId: 'healthy', kinds: [kind], leaseMs: 10_000 });
    assert.equal(first?.id, held.id);
    assert.equal(await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }), undefined, 'one job per key at a time');
    assert.equal(await complete(db, { id: held.id, workerId: 'healthy' }), true);
    assert.equal((await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }))?.id, waiting.id);
  });

  test('a keyed job whose lease expired on its last attempt is dead, and frees its key for the next job', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const held = await enqueue(db, { kind, concurrencyKey: key, maxAttempts: 1 });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 });
    const waiting = await enqueue(db, { kind, concurrencyKey: key });
    await sleep(20);
    assert.equal((await claim(db, { workerId: 'healthy', kinds: [kind], leaseMs: 10_000 }))?.id, waiting.id);
    const dead = await jobById(db, held.id);
    assert.equal(dead.status, 'dead');
    assert.match(dead.lastError ?? '', /lease expired on attempt 1 of 1/);
  });

  test('a worker loop finishes a keyed job left running by a crashed worker, then the next job on its key', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const held = await enqueue(db, { kind, concurrencyKey: key, payload: { n: 1 } });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 200 });
    const next = await enqueue(db, { kind, concurrencyKey: key, payload: { n: 2 } });
    const ran: number[] = [];
    const controller = new AbortController();
    const done = runWorker({
      store: engine.store(),
      workerId: unique('rescuer'),
      handlers: { [kind]: async (job) => void ran.push((job.payload as { n: number }).n) },
      pollMs: 50,
      leaseMs: 10_000,
      signal: controller.signal,
    });
    const deadline = Date.now() + 15_000;
    while (ran.length < 2 && Date.now() < deadline) await sleep(20);
    controller.abort();
    await done;
    assert.deepEqual(ran, [1, 2], 'the held job first, then the one waiting on its key');
    const [a, b] = [await jobById(db, held.id), await jobById(db, next.id)];
    assert.deepEqual([a.status, a.attempts, b.status, b.attempts], ['completed', 2, 'completed', 1]);
  });
});
