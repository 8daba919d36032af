import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq, like } from 'drizzle-orm';
import { openDeliverySpool } from '../../src/intake/delivery-spool.ts';
import type { IncomingDelivery } from '../../src/intake/delivery-writer.ts';
import { loadSpoolRange, type LoadRange } from '../../src/intake/spool-records.ts';
import { jobForDelivery } from '../../src/intake/job-for-delivery.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';

let store: Store;
before(async () => {
  store = await openStore({ dataDir: 'memory://' });
});
after(async () => {
  await store.close();
});

function delivery(id: string): IncomingDelivery {
  const payload = pushPayload({ repo: { fullName: 'acme/api', id: 42 }, installationId: 1, after: 'a'.repeat(40) });
  return { deliveryId: id, event: 'push', action: null, installationId: 1, payload, job: jobForDelivery(id, 'push', payload).job };
}

const count = async (prefix: string) => (await store.db.select().from(webhookDeliveries).where(like(webhookDeliveries.deliveryId, `${prefix}%`))).length;

describe('delivery spool', () => {
  it('acknowledges after the append, then stores every delivery and its job in the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const spool = await openDeliverySpool({ dir, db: store.db, loadBatch: 7 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => spool.write(delivery(`a-${i}`))));
    assert.ok(results.every((r) => r.isNew));
    await spool.drain();
    assert.equal(await count('a-'), 50);
    const [job] = await store.db.select().from(jobs).where(eq(jobs.idempotencyKey, 'delivery:a-7'));
    assert.equal(job?.kind, 'github.webhook');
    assert.equal(spool.backlog(), 0);
    await spool.close();
    assert.deepEqual(readdirSync(dir), [], 'loaded segments are deleted');
  });

  it('answers a redelivery as a duplicate and never stores or enqueues it twice', async () => {
    const spool = await openDeliverySpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), db: store.db });
    assert.equal((await spool.write(delivery('b-1'))).isNew, true);
    assert.equal((await spool.write(delivery('b-1'))).isNew, false);
    await spool.close();
    // A redelivery the window has forgotten (a new process): the database still dedupes.
    const again = await openDeliverySpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), db: store.db });
    await again.write(delivery('b-1'));
    await again.close();
    assert.equal(await count('b-'), 1);
    assert.equal((await store.db.select().from(jobs).where(eq(jobs.idempotencyKey, 'delivery:b-1'))).length, 1);
  });

  it('loads what a crashed process left in its spool at start-up, ignoring a torn last record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const records = ['c-1', 'c-2', 'c-3'].map((id) => {
      const body = Buffer.from(JSON.stringify(delivery(id)));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length);
      return Buffer.concat([len, body]);
    });
    const torn = records[2]!.subarray(0, 100);
    writeFileSync(join(dir, 'segment-0000000003.log'), Buffer.concat([records[0]!, records[1]!, torn]));
    const spool = await openDeliverySpool({ dir, db: store.db });
    assert.equal(await count('c-'), 2);
    await spool.write(delivery('c-4'));
    await spool.close();
    assert.equal(await count('c-'), 3);
  });

  it('stores a delivery whose payload the database refuses without it, and the rest of its batch normally', async () => {
    const spool = await openDeliverySpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), db: store.db, log: () => {} });
    const poison = { ...delivery('e-2'), payload: undefined, payloadText: '{"zen":"nul \\u0000 byte"}' };
    await Promise.all([spool.write(delivery('e-1')), spool.write(poison), spool.write(delivery('e-3'))]);
    await spool.close();
    assert.equal(await count('e-'), 3);
    const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, 'e-2'));
    assert.match(row?.outcome ?? '', /store refused the payload/);
    assert.equal((await store.db.select().from(jobs).where(eq(jobs.idempotencyKey, 'delivery:e-2'))).length, 0);
  });

  it('keeps deliveries spooled while loading fails (store thread gone), and loads them when it works again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const logs: string[] = [];
    let failing = 3;
    const flaky: LoadRange = (range) => (failing-- > 0 ? Promise.reject(new Error('thread stopped')) : loadSpoolRange(store.db, range));
    const spool = await openDeliverySpool({ dir, db: store.db, loadOffThread: flaky, log: (m) => logs.push(m) });
    await Promise.all(['f-1', 'f-2', 'f-3'].map((id) => spool.write(delivery(id))));
    await spool.drain(); // waits through the failures and their backoff
    assert.equal(await count('f-'), 3);
    await spool.close();
    assert.ok(logs.filter((m) => /loading spooled deliveries failed \(thread stopped\); retrying/.test(m)).length >= 3, logs.join('\n'));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('shutting down while loading fails leaves the deliveries in the spool, and the next start loads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const logs: string[] = [];
    const spool = await openDeliverySpool({ dir, db: store.db, loadOffThread: () => Promise.reject(new Error('thread stopped')), log: (m) => logs.push(m) });
    await Promise.all(['g-1', 'g-2'].map((id) => spool.write(delivery(id))));
    await spool.close(); // resolves: it does not wait for a store that is gone
    assert.equal(await count('g-'), 0);
    assert.equal(readdirSync(dir).length, 1, 'the segment is kept');
    assert.ok(logs.some((m) => /2 left in the spool for the next start/.test(m)), logs.join('\n'));
    const next = await openDeliverySpool({ dir, db: store.db });
    await next.close();
    assert.equal(await count('g-'), 2);
  });

  it('refuses new deliveries (to be redelivered) when the backlog is full', async () => {
    const spool = await openDeliverySpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), db: store.db, maxBacklog: 0 });
    await assert.rejects(spool.write(delivery('d-1')));
    await spool.close();
  });
});
