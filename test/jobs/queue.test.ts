import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { backoffMs } from '../../src/jobs/backoff.ts';
import { claim } from '../../src/jobs/claim.ts';
import { complete, extendLease, release } from '../../src/jobs/complete.ts';
import { enqueue, enqueueMany } from '../../src/jobs/enqueue.ts';
import { fail } from '../../src/jobs/fail.ts';
import type { Db } from '../../src/store/db.ts';
import { insertDeliveries } from '../../src/store/webhook-deliveries.ts';
import { jobs } from '../../src/store/schema.ts';
import { forEachEngine, unique } from '../store/engines.ts';

const jobById = async (db: Db, id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('backoff grows exponentially, is capped, and jitters between half and all of it', () => {
  assert.equal(backoffMs(1, { baseMs: 1000, random: () => 1 }), 1000);
  assert.equal(backoffMs(1, { baseMs: 1000, random: () => 0 }), 500);
  assert.equal(backoffMs(4, { baseMs: 1000, random: () => 1 }), 8000);
  assert.equal(backoffMs(30, { baseMs: 1000, maxMs: 60_000, random: () => 1 }), 60_000);
});

forEachEngine('job queue', (engine) => {
  test('a job enqueued with its delivery commits with it, or not at all', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const committed = await db.transaction(async (tx) => {
      await insertDeliveries(tx, [{ deliveryId: unique('d'), event: 'push', action: null, installationId: null }]);
      return enqueue(tx, { kind, payload: { sha: 'abc' } });
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await enqueue(tx, { kind, payload: { sha: 'def' } });
        throw new Error('rolled back');
      }),
    );
    const claimed = await claim(db, { workerId: 'w1', kinds: [kind], leaseMs: 10_000 });
    assert.equal(claimed?.id, committed.id);
    assert.deepEqual(claimed?.payload, { sha: 'abc' });
    assert.equal(await claim(db, { workerId: 'w1', kinds: [kind], leaseMs: 10_000 }), undefined);
  });

  test('an idempotency key enqueues once, also within one batch', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('delivery');
    const first = await enqueue(db, { kind, idempotencyKey: key });
    const second = await enqueue(db, { kind, idempotencyKey: key });
    assert.deepEqual(second, { id: first.id, created: false });
    const other = unique('delivery');
    const batch = await enqueueMany(db, [{ kind }, { kind, idempotencyKey: other }, { kind, idempotencyKey: key }, { kind, idempotencyKey: other }, { kind }]);
    assert.deepEqual(batch.map((r) => r.created), [true, true, false, false, true]);
    assert.equal(batch[2]!.id, first.id);
    assert.equal(batch[3]!.id, batch[1]!.id);
    assert.equal(new Set(batch.map((r) => r.id)).size, 4);
  });

  test('jobs are claimed oldest first, only when due, only of the asked kinds', async () => {
    const { db } = engine.store();
    const [a, b] = [unique('kind'), unique('kind')];
    const later = await enqueue(db, { kind: a, runAt: new Date(Date.now() + 60_000) });
    const first = await enqueue(db, { kind: a });
    const second = await enqueue(db, { kind: a });
    await enqueue(db, { kind: b });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await claim(db, { workerId: 'w', kinds: [a], leaseMs: 10_000 }))?.id);
    assert.deepEqual(got, [first.id, second.id, undefined]);
    assert.equal((await jobById(db, later.id)).status, 'queued');
  });

  test('at most one job per concurrency key runs at a time', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const one = await enqueue(db, { kind, concurrencyKey: key });
    const two = await enqueue(db, { kind, concurrencyKey: key });
    const free = await enqueue(db, { kind });
    const c1 = await claim(db, { workerId: 'w1', kinds: [kind], leaseMs: 10_000 });
    const c2 = await claim(db, { workerId: 'w2', kinds: [kind], leaseMs: 10_000 });
    const c3 = await claim(db, { workerId: 'w3', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual([c1?.id, c2?.id, c3?.id], [one.id, free.id, undefined]);
    assert.equal(await complete(db, { id: one.id, workerId: 'w1' }), true);
    assert.equal((await claim(db, { workerId: 'w3', kinds: [kind], leaseMs: 10_000 }))?.id, two.id);
  });

  test('concurrent claims for jobs sharing a key start only one of them', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    await enqueueMany(db, Array.from({ length: 10 }, () => ({ kind, concurrencyKey: key })));
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claim(db, { workerId: `w${i}`, kinds: [kind], leaseMs: 10_000 })),
    );
    assert.equal(claims.filter(Boolean).length, 1);
    const running = await db.select().from(jobs).where(eq(jobs.concurrencyKey, key));
    assert.equal(running.filter((j) => j.status === 'running').length, 1);
  });

  test('a superseding job cancels the queued older ones with its key, not the running one', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('app:production');
    const running = await enqueue(db, { kind, concurrencyKey: key });
    assert.equal((await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 }))?.id, running.id);
    const old1 = await enqueue(db, { kind, concurrencyKey: key });
    const old2 = await enqueue(db, { kind, concurrencyKey: key, supersede: true });
    const other = await enqueue(db, { kind, concurrencyKey: unique('other') });
    const newest = await enqueue(db, { kind, concurrencyKey: key, supersede: true });
    const statuses = await Promise.all([running, old1, old2, other, newest].map(async (j) => (await jobById(db, j.id)).status));
    assert.deepEqual(statuses, ['running', 'cancelled', 'cancelled', 'queued', 'queued']);
    assert.match((await jobById(db, old1.id)).lastError ?? '', /superseded by job/);
  });

  test('superseding cancels only queued jobs of the same kind: another kind on the key waits its turn', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const approval = unique('approval');
    const key = unique('pr');
    const old = await enqueue(db, { kind, concurrencyKey: key, supersede: true });
    const approve = await enqueue(db, { kind: approval, concurrencyKey: key });
    const newest = await enqueue(db, { kind, concurrencyKey: key, supersede: true });
    const statuses = await Promise.all([old, approve, newest].map(async (j) => (await jobById(db, j.id)).status));
    assert.deepEqual(statuses, ['cancelled', 'queued', 'queued']);
    // One running job per key, whatever its kind: the approval and the re-plan never overlap.
    const first = await claim(db, { workerId: 'w', kinds: [kind, approval], leaseMs: 10_000 });
    assert.equal(first?.id, approve.id);
    assert.equal(await claim(db, { workerId: 'w2', kinds: [kind, approval], leaseMs: 10_000 }), undefined);
  });

  test('a failed job is retried after a backoff, then dead after its attempts, and kept', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, maxAttempts: 2 });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    const first = await fail(db, { id, workerId: 'w' }, new Error('terraform exploded'), { baseMs: 1, maxMs: 1 });
    assert.equal(first.outcome, 'retry');
    let row = await jobById(db, id);
    assert.deepEqual([row.status, row.attempts, row.lastError], ['queued', 1, 'terraform exploded']);
    await sleep(5);
    assert.equal((await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 }))?.attempts, 2);
    assert.deepEqual(await fail(db, { id, workerId: 'w' }, new Error('again')), { outcome: 'dead' });
    row = await jobById(db, id);
    assert.deepEqual([row.status, row.attempts, row.lastError], ['dead', 2, 'again']);
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 }), undefined);
  });

  test('the first retry waits about baseMs: the job is not claimable before', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    const result = await fail(db, { id, workerId: 'w' }, 'nope', { baseMs: 60_000 });
    assert.equal(result.outcome, 'retry');
    if (result.outcome === 'retry') assert.ok(result.retryAt.getTime() > Date.now() + 20_000);
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 }), undefined);
  });

  test('a job whose lease expired is taken over, and the old holder can no longer finish it', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 });
    await sleep(10);
    const taken = await claim(db, { workerId: 'healthy', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual([taken?.id, taken?.attempts, taken?.lockedBy], [id, 2, 'healthy']);
    assert.equal(await complete(db, { id, workerId: 'crashed' }), false);
    assert.equal(await extendLease(db, { id, workerId: 'crashed' }, 10_000), false);
    assert.deepEqual(await fail(db, { id, workerId: 'crashed' }, 'late'), { outcome: 'lost' });
    assert.equal(await complete(db, { id, workerId: 'healthy' }), true);
    assert.equal((await jobById(db, id)).status, 'completed');
  });

  test('an extended lease keeps the job; an expired lease on the last attempt makes it dead', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, maxAttempts: 1 });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 30 });
    assert.equal(await extendLease(db, { id, workerId: 'w' }, 10_000), true);
    await sleep(40);
    assert.equal(await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }), undefined);
    assert.equal((await jobById(db, id)).status, 'running');
    await extendLease(db, { id, workerId: 'w' }, 1);
    await sleep(10);
    assert.equal(await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }), undefined);
    const row = await jobById(db, id);
    assert.equal(row.status, 'dead');
    assert.match(row.lastError ?? '', /lease expired on attempt 1 of 1/);
  });

  test('a released job is queued again without counting the attempt', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.equal(await release(db, { id, workerId: 'w' }), true);
    const row = await jobById(db, id);
    assert.deepEqual([row.status, row.attempts, row.lockedBy], ['queued', 0, null]);
    assert.equal((await claim(db, { workerId: 'w2', kinds: [kind], leaseMs: 10_000 }))?.attempts, 1);
  });

  test('enqueueMany inserts large batches across statements, in order', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const results = await enqueueMany(db, Array.from({ length: 6_000 }, (_, i) => ({ kind, payload: { i } })));
    assert.equal(results.length, 6_000);
    assert.ok(results.every((r, i) => r.created && (i === 0 || r.id > results[i - 1]!.id)));
    const first = await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual(first?.payload, { i: 0 });
  });
});
