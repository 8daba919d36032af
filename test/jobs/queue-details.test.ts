/**
 * The queue's verbs in their details: what each leaves in the row (who holds it, until when, why
 * it failed), the backoff figures, the defaults of an enqueue, and what a supersede or an expired
 * lease writes. Runs on every engine (PGlite, its store thread, Postgres with DATABASE_URL).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { backoffMs } from '../../src/jobs/backoff.ts';
import { claim } from '../../src/jobs/claim.ts';
import { complete, extendLease, release } from '../../src/jobs/complete.ts';
import { enqueue, enqueueMany } from '../../src/jobs/enqueue.ts';
import { fail } from '../../src/jobs/fail.ts';
import { findJob } from '../../src/jobs/find-job.ts';
import { isUniqueViolation, rowsOf } from '../../src/jobs/rows.ts';
import type { Db } from '../../src/store/db.ts';
import { jobs } from '../../src/store/schema.ts';
import { forEachEngine, unique } from '../store/engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobById = async (db: Db, id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
/** The database's clock, in ms: leases and run_at are set by now() on the server. */
const dbNow = async (db: Db) => new Date(String(rowsOf(await db.execute(sql`select now()::text as t`))[0]!.t)).getTime();

test('backoff doubles from the base per attempt, is capped, and jitters between half and all of it', () => {
  const half = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 4].map((a) => backoffMs(a, { baseMs: 1000, random: () => 1 })), [1000, 1000, 2000, 4000, 8000]);
  assert.deepEqual([1, 2, 3].map((a) => backoffMs(a, { baseMs: 1000, random: half })), [750, 1500, 3000]);
  assert.equal(backoffMs(5, { baseMs: 1000, maxMs: 10_000, random: () => 1 }), 10_000);
  assert.equal(backoffMs(5, { baseMs: 1000, maxMs: 10_000, random: () => 0 }), 5_000);
  // Defaults: 1 s base, 10 minutes cap.
  assert.equal(backoffMs(1, { random: () => 1 }), 1000);
  assert.equal(backoffMs(20, { random: () => 1 }), 600_000);
  const r = backoffMs(3);
  assert.ok(r >= 2000 && r <= 4000, `${r}`);
});

test('a unique violation is recognised by its SQLSTATE, also as the cause of another error', () => {
  assert.equal(isUniqueViolation({ code: '23505' }), true);
  assert.equal(isUniqueViolation(new Error('wrapped', { cause: new Error('inner', { cause: { code: '23505' } }) })), true);
  assert.equal(isUniqueViolation({ code: '23503' }), false);
  assert.equal(isUniqueViolation(new Error('no code')), false);
  assert.equal(isUniqueViolation(undefined), false);
});

forEachEngine('queue details', (engine) => {
  test('an enqueued job has an empty payload, five attempts and is due now unless told otherwise', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const before = await dbNow(db);
    const { id, created } = await enqueue(db, { kind });
    const row = await jobById(db, id);
    assert.equal(created, true);
    assert.deepEqual([row.kind, row.payload, row.status, row.attempts, row.maxAttempts, row.concurrencyKey, row.idempotencyKey, row.lockedBy, row.lockedUntil, row.finishedAt],
      [kind, {}, 'queued', 0, 5, null, null, null, null, null]);
    assert.ok(row.runAt.getTime() >= before - 1000 && row.runAt.getTime() <= (await dbNow(db)) + 1000);
    const later = new Date(Date.now() + 3_600_000);
    const custom = await jobById(db, (await enqueue(db, { kind, payload: { n: [1, 'two'] }, maxAttempts: 2, runAt: later, concurrencyKey: 'k' })).id);
    assert.deepEqual([custom.payload, custom.maxAttempts, custom.runAt.getTime(), custom.concurrencyKey], [{ n: [1, 'two'] }, 2, later.getTime(), 'k']);
  });

  test('a claim records the worker, the attempt and a lease of the asked length', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, payload: { a: 1 } });
    const before = await dbNow(db);
    const job = await claim(db, { workerId: 'w1', kinds: [kind], leaseMs: 60_000 });
    assert.deepEqual([job?.id, job?.status, job?.attempts, job?.lockedBy, job?.payload, job?.kind, job?.maxAttempts], [id, 'running', 1, 'w1', { a: 1 }, kind, 5]);
    const lease = job!.lockedUntil!.getTime() - before;
    assert.ok(lease > 55_000 && lease < 65_000, `lease ${lease}`);
    assert.ok(job!.createdAt instanceof Date && job!.updatedAt instanceof Date);
    assert.equal(job!.finishedAt, null);
  });

  test('a claim without kinds takes any kind; with kinds, only those', async () => {
    const { db } = engine.store();
    // Drain whatever other tests left claimable, so "any kind" is this test's job.
    while (await claim(db, { workerId: 'drain', leaseMs: 60_000 })) { /* drained */ }
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    assert.equal(await claim(db, { workerId: 'w', kinds: [unique('other')], leaseMs: 10_000 }), undefined);
    assert.equal((await claim(db, { workerId: 'w', kinds: [], leaseMs: 10_000 }))?.id, id);
  });

  test('a claim that skips expired leases leaves a crashed worker\'s job alone', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 });
    await sleep(20);
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000, expired: false }), undefined);
    assert.equal((await jobById(db, id)).lockedBy, 'crashed');
    assert.equal((await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000, expired: true }))?.id, id);
    // Nor does it bury one whose last attempt's lease expired: that waits for a claim that looks.
    const last = await enqueue(db, { kind, maxAttempts: 1 });
    await claim(db, { workerId: 'crashed', kinds: [kind], leaseMs: 1 });
    await sleep(20);
    assert.equal(await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000, expired: false }), undefined);
    assert.equal((await jobById(db, last.id)).status, 'running');
  });

  test('a claimed job is the row as stored, to the millisecond, and findJob reads it back', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const idem = unique('delivery');
    const { id } = await enqueue(db, { kind, payload: { list: [1, { deep: null }], text: 'ünïcode' }, concurrencyKey: unique('key'), idempotencyKey: idem, maxAttempts: 3 });
    const job = await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    // Drizzle's own select is the independent reading of the same row.
    const stored = await jobById(db, id);
    assert.deepEqual(job, stored);
    assert.deepEqual(await findJob(db, id), stored);
    assert.equal(await findJob(db, id + 1_000_000), undefined);
    // And after a failure, with the fields a fresh claim leaves empty filled in.
    await fail(db, { id, workerId: 'w' }, 'first', { baseMs: 1, maxMs: 1 });
    await sleep(5);
    const again = await claim(db, { workerId: 'w2', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual(again, await jobById(db, id));
  });

  test('a failure from a failed query keeps the database\'s reason, not the query and its parameters', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    // A handler's query that fails, with a secret among its parameters (as a delivery's payload can be).
    const queryError = await db
      .insert(jobs)
      .values({ kind: null as unknown as string, payload: { token: 'ghs_not_for_the_log' } })
      .then(() => undefined, (error: unknown) => error);
    assert.ok(queryError instanceof Error && queryError.message.startsWith('Failed query'), 'Drizzle wraps the driver error');
    await fail(db, { id, workerId: 'w' }, queryError, { baseMs: 1, maxMs: 1 });
    const { lastError } = await jobById(db, id);
    assert.match(lastError ?? '', /null value in column "kind".*violates not-null constraint/);
    assert.doesNotMatch(lastError ?? '', /ghs_not_for_the_log|insert into/);
  });

  test('a claimed job carries its keys and last error', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const idem = unique('delivery');
    const { id } = await enqueue(db, { kind, concurrencyKey: 'app:prod', idempotencyKey: idem });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    await fail(db, { id, workerId: 'w' }, 'first try failed', { baseMs: 1, maxMs: 1 });
    await sleep(5);
    const job = await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual([job?.id, job?.concurrencyKey, job?.idempotencyKey, job?.lastError, job?.attempts], [id, 'app:prod', idem, 'first try failed', 2]);
    assert.ok(job!.runAt instanceof Date && job!.lockedUntil instanceof Date);
  });

  test('a null idempotency key is no key, and supersedes work per key', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const [a, b] = [unique('key'), unique('key')];
    const oldA = await enqueue(db, { kind, concurrencyKey: a });
    const oldB = await enqueue(db, { kind, concurrencyKey: b });
    const batch = await enqueueMany(db, [
      { kind, concurrencyKey: a, idempotencyKey: null, supersede: true },
      { kind, concurrencyKey: b, idempotencyKey: null, supersede: true },
    ]);
    assert.deepEqual(batch.map((r) => r.created), [true, true]);
    assert.notEqual(batch[0]!.id, batch[1]!.id);
    assert.equal((await jobById(db, oldA.id)).lastError, `superseded by job ${batch[0]!.id}`);
    assert.equal((await jobById(db, oldB.id)).lastError, `superseded by job ${batch[1]!.id}`);
    assert.deepEqual([(await jobById(db, batch[0]!.id)).status, (await jobById(db, batch[1]!.id)).status], ['queued', 'queued']);
  });

  test('completing clears the lease and records when; only the holder of a running job can', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    assert.equal(await complete(db, { id, workerId: 'w' }), false, 'not claimed yet');
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.equal(await complete(db, { id, workerId: 'other' }), false);
    assert.equal(await complete(db, { id, workerId: 'w' }), true);
    const row = await jobById(db, id);
    assert.deepEqual([row.status, row.lockedBy, row.lockedUntil], ['completed', null, null]);
    assert.ok(row.finishedAt instanceof Date);
    assert.equal(await complete(db, { id, workerId: 'w' }), false, 'completed once');
  });

  test('extending a lease moves it to now plus the new length', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 1_000 });
    const before = await dbNow(db);
    assert.equal(await extendLease(db, { id, workerId: 'w' }, 120_000), true);
    const lease = (await jobById(db, id)).lockedUntil!.getTime() - before;
    assert.ok(lease > 115_000 && lease < 125_000, `lease ${lease}`);
    assert.equal(await extendLease(db, { id, workerId: 'other' }, 120_000), false);
  });

  test('a released job is runnable at once with its attempt given back, and only its holder can release it', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, runAt: new Date(Date.now() - 60_000) });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.equal(await release(db, { id, workerId: 'other' }), false);
    const before = await dbNow(db);
    assert.equal(await release(db, { id, workerId: 'w' }), true);
    const row = await jobById(db, id);
    assert.deepEqual([row.status, row.attempts, row.lockedBy, row.lockedUntil], ['queued', 0, null, null]);
    assert.ok(row.runAt.getTime() >= before - 1000, 'run_at is now, not the original time');
    assert.equal(await release(db, { id, workerId: 'w' }), false, 'no longer held');
  });

  test('a failure keeps its message (or the error name, or the thrown value), cut at 4,000 characters', async () => {
    const { db } = engine.store();
    const lastErrorAfter = async (error: unknown) => {
      const kind = unique('kind');
      const { id } = await enqueue(db, { kind });
      await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
      await fail(db, { id, workerId: 'w' }, error, { baseMs: 1, maxMs: 1 });
      return (await jobById(db, id)).lastError;
    };
    assert.equal(await lastErrorAfter(new Error('disk full')), 'disk full');
    assert.equal(await lastErrorAfter(new TypeError('')), 'TypeError');
    assert.equal(await lastErrorAfter('plain text'), 'plain text');
    assert.equal(await lastErrorAfter(42), '42');
    assert.equal((await lastErrorAfter(new Error('x'.repeat(5000))))!.length, 4000);
  });

  test('a failed attempt is retried after the backoff for its attempt; the last one is dead with a finish time', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, maxAttempts: 2 });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    const before = await dbNow(db);
    const first = await fail(db, { id, workerId: 'w' }, 'boom', { baseMs: 60_000, random: () => 1 });
    assert.equal(first.outcome, 'retry');
    const wait = (first as { retryAt: Date }).retryAt.getTime() - before;
    assert.ok(wait > 55_000 && wait < 65_000, `first retry after ${wait} ms`);
    let row = await jobById(db, id);
    assert.deepEqual([row.status, row.lockedBy, row.lockedUntil, row.finishedAt, row.runAt.getTime()], ['queued', null, null, null, (first as { retryAt: Date }).retryAt.getTime()]);
    await db.update(jobs).set({ runAt: sql`now()` }).where(eq(jobs.id, id));
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    assert.deepEqual(await fail(db, { id, workerId: 'w' }, 'boom again'), { outcome: 'dead' });
    row = await jobById(db, id);
    assert.deepEqual([row.status, row.attempts, row.lastError, row.lockedBy], ['dead', 2, 'boom again', null]);
    assert.ok(row.finishedAt instanceof Date);
    assert.deepEqual(await fail(db, { id, workerId: 'w' }, 'late'), { outcome: 'lost' });
  });

  test('an expired lease on the last attempt is buried with the reason appended to the last error', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, maxAttempts: 2 });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
    await fail(db, { id, workerId: 'w' }, 'first failure', { baseMs: 1, maxMs: 1 });
    await sleep(5);
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 1 });
    await sleep(20);
    assert.equal(await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }), undefined);
    const row = await jobById(db, id);
    assert.equal(row.status, 'dead');
    assert.equal(row.lastError, 'first failure; lease expired on attempt 2 of 2');
    assert.ok(row.finishedAt instanceof Date);
  });

  test('a lease that has not expired yet is neither taken over nor buried', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const { id } = await enqueue(db, { kind, maxAttempts: 1 });
    await claim(db, { workerId: 'w', kinds: [kind], leaseMs: 60_000 });
    assert.equal(await claim(db, { workerId: 'other', kinds: [kind], leaseMs: 10_000 }), undefined);
    assert.deepEqual([(await jobById(db, id)).status, (await jobById(db, id)).lockedBy], ['running', 'w']);
  });

  test('a superseding batch cancels with the newest job of each kind and key, and a duplicate supersedes nothing', async () => {
    const { db } = engine.store();
    const kind = unique('kind');
    const key = unique('key');
    const old = await enqueue(db, { kind, concurrencyKey: key });
    const batch = await enqueueMany(db, [
      { kind, concurrencyKey: key, supersede: true },
      { kind, concurrencyKey: key, supersede: true },
      { kind, supersede: true },
    ]);
    const statuses = await Promise.all([old, ...batch].map(async (j) => (await jobById(db, j.id)).status));
    assert.deepEqual(statuses, ['cancelled', 'cancelled', 'queued', 'queued']);
    assert.equal((await jobById(db, old.id)).lastError, `superseded by job ${batch[1]!.id}`);
    assert.ok((await jobById(db, old.id)).finishedAt instanceof Date);
    // An idempotent repeat of an old delivery (created: false) must not cancel newer work.
    const idem = unique('delivery');
    const first = await enqueue(db, { kind: unique('k2'), concurrencyKey: key, idempotencyKey: idem });
    const newer = await enqueue(db, { kind: (await jobById(db, first.id)).kind, concurrencyKey: key });
    const repeat = await enqueue(db, { kind: (await jobById(db, first.id)).kind, concurrencyKey: key, idempotencyKey: idem, supersede: true });
    assert.deepEqual(repeat, { id: first.id, created: false });
    assert.equal((await jobById(db, newer.id)).status, 'queued');
  });

  if (engine.name === 'postgres') {
    test('a claim that loses the race for a concurrency key tries again and takes the next job', async () => {
      const { db } = engine.store();
      const kind = unique('kind');
      const key = unique('key');
      const [other, waiting, free] = await enqueueMany(db, [{ kind, concurrencyKey: key }, { kind, concurrencyKey: key }, { kind }]);
      // Another worker starts `other` in a transaction not committed yet: the claim below sees no
      // running job on the key, picks `waiting`, and its update waits on the key's unique index.
      const rival = new pg.Client({ connectionString: engine.databaseUrl });
      await rival.connect();
      try {
        await rival.query('begin');
        await rival.query(`update jobs set status = 'running', locked_by = 'rival', locked_until = now() + interval '1 hour' where id = $1`, [other!.id]);
        const claiming = claim(db, { workerId: 'w', kinds: [kind], leaseMs: 10_000 });
        await sleep(300);
        await rival.query('commit'); // the claim's update now fails with a unique violation
        const claimed = await claiming;
        assert.equal(claimed?.id, free!.id, 'the next job, not the one waiting on the key');
      } finally {
        await rival.end();
      }
      assert.deepEqual([(await jobById(db, other!.id)).status, (await jobById(db, waiting!.id)).status], ['running', 'queued']);
    });
  }
});
