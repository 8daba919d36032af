// The embedded store in a thread of its own (as `slipway serve` opens it): what must hold across the
// thread boundary beyond the shared store and queue suites (which also run on it, engines.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq, like, sql } from 'drizzle-orm';
import { openDeliverySpool } from '../../src/intake/delivery-spool.ts';
import { loadInStoreThread } from '../../src/intake/spool-records.ts';
import type { ThreadStore } from '../../src/store/open-pglite-thread.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { jobForDelivery } from '../../src/intake/job-for-delivery.ts';
import { pushPayload } from '../harness/payloads.ts';
import { migratedSnapshot, openTestPglite } from './engines.ts';

const scratch = mkdtempSync(join(tmpdir(), 'slipway-thread-'));
let store: Store;
before(async () => {
  store = await openTestPglite({ thread: true });
  await store.db.execute(sql`create table thread_probe (id int primary key, note text)`);
});
after(async () => {
  await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

const probeCount = async () => ((await store.db.execute(sql`select count(*)::int as n from thread_probe`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;

describe('embedded store in its own thread', () => {
  it('holds the one connection for a transaction: a query from outside waits for the commit', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((r) => (inserted = r));
    const tx = store.db.transaction(async (t) => {
      await t.execute(sql`insert into thread_probe values (1, 'in a transaction')`);
      inserted();
      await held;
      await t.execute(sql`insert into thread_probe values (2, 'in a transaction')`);
    });
    await insertedOnce;
    let outsideDone = false;
    const outside = probeCount().then((n) => {
      outsideDone = true;
      return n;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(outsideDone, false, 'a query outside the transaction does not run inside it');
    release();
    await tx;
    assert.equal(await outside, 2, 'it runs after the commit and sees both rows');
  });

  it('rolls back when the callback throws, and the thread stays usable', async () => {
    await assert.rejects(
      store.db.transaction(async (t) => {
        await t.execute(sql`insert into thread_probe values (10, 'rolled back')`);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(((await store.db.execute(sql`select * from thread_probe where id = 10`)) as unknown as { rows: unknown[] }).rows.length, 0);
    assert.equal(await probeCount(), 2);
  });

  it('rolls a nested transaction back to its savepoint and commits the outer one', async () => {
    await store.db.transaction(async (t) => {
      await t.execute(sql`insert into thread_probe values (30, 'outer')`);
      await assert.rejects(
        t.transaction(async (inner) => {
          await inner.execute(sql`insert into thread_probe values (31, 'inner')`);
          throw new Error('inner fails');
        }),
        /inner fails/,
      );
    });
    const ids = ((await store.db.execute(sql`select id from thread_probe where id in (30, 31) order by id`)) as unknown as { rows: Array<{ id: number }> }).rows.map((r) => r.id);
    assert.deepEqual(ids, [30]);
    await store.db.execute(sql`delete from thread_probe where id = 30`);
  });

  it('refuses a value that cannot be sent to the thread, and stays usable', async () => {
    await assert.rejects(store.db.execute(sql`select ${Symbol('not cloneable') as unknown as string}::text`));
    assert.equal(await probeCount(), 2);
  });

  it('keeps the SQLSTATE of a database error (the queue relies on 23505), and rolls the transaction back', async () => {
    const error = await store.db
      .transaction(async (t) => {
        await t.execute(sql`insert into thread_probe values (20, 'first')`);
        await t.execute(sql`insert into thread_probe values (1, 'duplicate')`);
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: { code?: string; constraint?: string } },
      );
    assert.equal(error?.cause?.code, '23505');
    assert.equal(error?.cause?.constraint, 'thread_probe_pkey');
    assert.equal(((await store.db.execute(sql`select * from thread_probe where id = 20`)) as unknown as { rows: unknown[] }).rows.length, 0);
  });

  it('returns typed rows through Drizzle: jsonb as objects, timestamps as Dates', async () => {
    const id = `thread-typed-${process.pid}`;
    await store.db.insert(webhookDeliveries).values({ deliveryId: id, event: 'push', action: null, installationId: 7, payload: { a: [1, 'x'] } });
    const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
    assert.deepEqual(row?.payload, { a: [1, 'x'] });
    assert.ok(row?.receivedAt instanceof Date && Math.abs(row.receivedAt.getTime() - Date.now()) < 60_000);
  });

  it('delivers NOTIFY across the thread boundary, and stops after unlisten', async () => {
    const heard: string[] = [];
    const unlisten = await store.listen('thread_probe_channel', (payload) => heard.push(payload));
    await store.db.execute(sql`select pg_notify('thread_probe_channel', 'one')`);
    for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await unlisten();
    await store.db.execute(sql`select pg_notify('thread_probe_channel', 'two')`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(heard, ['one']);
  });

  it('loads the delivery spool in the store thread: every delivery and its job arrive', async () => {
    const spool = await openDeliverySpool({ dir: join(scratch, 'spool'), db: store.db, loadBatch: 9, loadOffThread: loadInStoreThread(store as ThreadStore) });
    const ids = Array.from({ length: 40 }, (_, i) => `thread-spool-${i}`);
    await Promise.all(
      ids.map((id) => {
        const payload = pushPayload({ repo: { fullName: 'acme/api', id: 42 }, installationId: 1, after: 'a'.repeat(40) });
        return spool.write({ deliveryId: id, event: 'push', action: null, installationId: 1, payloadText: JSON.stringify(payload), job: jobForDelivery(id, 'push', payload).job });
      }),
    );
    await spool.close();
    assert.equal((await store.db.select().from(webhookDeliveries).where(like(webhookDeliveries.deliveryId, 'thread-spool-%'))).length, 40);
    assert.equal((await store.db.select().from(jobs).where(like(jobs.idempotencyKey, 'delivery:thread-spool-%'))).length, 40);
  });
});

it("the CLI bundle's stand-in for PGlite's type OIDs (scripts/build.mjs) matches PGlite's own", async () => {
  const [{ types }, shim] = await Promise.all([import('@electric-sql/pglite'), import('../../src/store/pglite-types.ts')]);
  for (const [name, oid] of Object.entries(shim.types)) assert.equal(oid, types[name as keyof typeof types], name);
  assert.throws(() => new shim.PGlite(), /must be given a PGlite client/);
});

describe('embedded store thread: memory', () => {
  it('reopens PGlite once its memory has grown, giving it back, with its data and LISTENs intact; requests meanwhile wait', async () => {
    const logged: string[] = [];
    const onDisk = await openStore({ dataDir: join(scratch, 'recycled'), thread: true, pgliteSnapshot: await migratedSnapshot(), recycleAfterMs: 100, log: (m) => logged.push(m) });
    try {
      await onDisk.db.execute(sql`create table recycle_probe (id int primary key)`);
      await onDisk.db.execute(sql`insert into recycle_probe values (1)`);
      const heard: string[] = [];
      await onDisk.listen('recycle_channel', (payload) => heard.push(payload));
      // 200 MB of text: more than the 128 MB PGlite starts with, so its WebAssembly memory grows.
      await onDisk.db.execute(sql`select length(repeat('x', 200000000))`);
      // Asked at once: these wait for nothing, or for the reopening, never fail.
      const during = Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 20));
        return onDisk.db.execute(sql`select count(*)::int as n from recycle_probe`);
      });
      for (let i = 0; i < 300 && !logged.some((m) => m.includes('reopened')); i++) await new Promise((r) => setTimeout(r, 20));
      const reopened = logged.find((m) => m.includes('reopened'));
      assert.ok(reopened, `the store was reopened; log: ${logged.join(' | ')}`);
      const gaveBack = Number(/give back (\d+) MB/.exec(reopened)?.[1]);
      assert.ok(gaveBack >= 64, `it gave back the memory it had grown by: ${reopened}`);
      for (const answer of await Promise.all(during)) assert.equal((answer as unknown as { rows: Array<{ n: number }> }).rows[0]!.n, 1);
      await onDisk.db.execute(sql`insert into recycle_probe values (2)`);
      const rows = (await onDisk.db.execute(sql`select id from recycle_probe order by id`)) as unknown as { rows: Array<{ id: number }> };
      assert.deepEqual(rows.rows.map((r) => r.id), [1, 2]);
      await onDisk.db.execute(sql`select pg_notify('recycle_channel', 'after')`);
      for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(heard, ['after'], 'a LISTEN made before the reopening still hears');
      assert.equal(logged.filter((m) => m.includes('reopened')).length, 1, 'once: the memory it started with is not reopened for');
    } finally {
      await onDisk.close();
    }
  });

  it('never reopens an in-memory store (it would lose its data)', async () => {
    const logged: string[] = [];
    const inMemory = await openStore({ dataDir: 'memory://', thread: true, pgliteSnapshot: await migratedSnapshot(), recycleAfterMs: 0, log: (m) => logged.push(m) });
    try {
      await inMemory.db.execute(sql`create table kept (id int)`);
      await inMemory.db.execute(sql`select length(repeat('x', 200000000))`);
      await new Promise((r) => setTimeout(r, 300));
      await inMemory.db.execute(sql`select * from kept`);
      assert.equal(logged.filter((m) => m.includes('reopened')).length, 0);
    } finally {
      await inMemory.close();
    }
  });
});

describe('embedded store thread: failures', () => {
  it('names the folder when it cannot be opened, as a StoreError from the thread', async () => {
    const corrupt = join(scratch, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'PG_VERSION'), 'not a version\n');
    await assert.rejects(
      openStore({ dataDir: corrupt, thread: true }),
      (e: unknown) => e instanceof StoreError && e.code === 'data_dir' && e.message.includes(corrupt),
    );
  });

  it('refuses a data folder another store holds, and frees it on close', async () => {
    const dir = join(scratch, 'locked');
    const first = await openStore({ dataDir: dir, thread: true });
    await assert.rejects(openStore({ dataDir: dir, thread: true }), (e: unknown) => e instanceof StoreError && e.code === 'locked');
    await first.close();
    const second = await openStore({ dataDir: dir, thread: true });
    await second.close();
  });

  it('after close, a query fails with a clear error instead of waiting forever', async () => {
    const closed = await openTestPglite({ thread: true });
    await closed.close();
    await assert.rejects(closed.db.execute(sql`select 1`), (e: unknown) => {
      const cause = (e as Error).cause;
      return cause instanceof StoreError && cause.code === 'unreachable' && /store is closed/.test(cause.message);
    });
  });
});
