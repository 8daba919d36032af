import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq, like } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { serviceReadiness } from '../../src/http/service-readiness.ts';
import { openDeliverySpool } from '../../src/intake/delivery-spool.ts';
import type { IncomingDelivery } from '../../src/intake/delivery-writer.ts';
import { loadSpoolRange, type LoadRange } from '../../src/intake/spool-records.ts';
import { jobForDelivery } from '../../src/intake/job-for-delivery.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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

  it('loads every delivery across segment roll-overs while groups are appended during earlier groups\' syncs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    // A segment of about three deliveries, and the loader held back until the writes are done, so the segments pile up.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const heldBack: LoadRange = async (range) => {
      await released;
      return loadSpoolRange(store.db, range);
    };
    const spool = await openDeliverySpool({ dir, db: store.db, segmentBytes: 3 * Buffer.byteLength(JSON.stringify(delivery('r-0'))), loadOffThread: heldBack });
    // Two waves in flight at a time: the next one arrives while the one before is appended or synced.
    const waves: Array<Promise<Array<{ isNew: boolean }>>> = [];
    for (let wave = 0; wave < 10; wave++) {
      if (wave >= 2) await waves[wave - 2];
      waves.push(Promise.all(Array.from({ length: 12 }, (_, i) => spool.write(delivery(`r-${wave}-${i}`)))));
    }
    const results = (await Promise.all(waves)).flat();
    assert.ok(results.every((r) => r.isNew));
    assert.ok(readdirSync(dir).filter((n) => n.startsWith('segment-')).length > 3, 'the spool rolled over to new segments');
    release();
    await spool.close({ timeoutMs: 20_000 });
    assert.equal(await count('r-'), 120);
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

  it('loads what a crashed process left in its spool at start-up, setting a torn last record aside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const records = ['c-1', 'c-2', 'c-3'].map((id) => {
      const body = Buffer.from(JSON.stringify(delivery(id)));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length);
      return Buffer.concat([len, body]);
    });
    const torn = records[2]!.subarray(0, 100);
    writeFileSync(join(dir, 'segment-0000000003.log'), Buffer.concat([records[0]!, records[1]!, torn]));
    const logs: string[] = [];
    const spool = await openDeliverySpool({ dir, db: store.db, log: (m) => logs.push(m) });
    await spool.drain();
    assert.equal(await count('c-'), 2);
    await spool.write(delivery('c-4'));
    await spool.close();
    assert.equal(await count('c-'), 3);
    // The torn bytes are kept aside with the reason, not loaded and not lost silently.
    assert.deepEqual(readFileSync(join(dir, 'set-aside', 'deliveries.log')), torn);
    assert.match(readFileSync(join(dir, 'set-aside', 'reasons.log'), 'utf8'), /an incomplete record at byte \d+/);
    assert.ok(logs.some((m) => /100 unreadable bytes of segment-0000000003\.log set aside/.test(m)), logs.join('\n'));
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

  it('keeps deliveries spooled while loading fails (store thread gone), says so in its health, and loads them when it works again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const logs: string[] = [];
    let failing = 3;
    const health: string[] = [];
    let spool: Awaited<ReturnType<typeof openDeliverySpool>> | undefined = undefined;
    const flaky: LoadRange = (range) => {
      const h = spool!.health();
      health.push(h.ok ? 'ok' : h.reason);
      return failing-- > 0 ? Promise.reject(new Error('thread stopped')) : loadSpoolRange(store.db, range);
    };
    spool = await openDeliverySpool({ dir, db: store.db, loadOffThread: flaky, log: (m) => logs.push(m) });
    assert.deepEqual(spool.health(), { ok: true });
    await Promise.all(['f-1', 'f-2', 'f-3'].map((id) => spool.write(delivery(id))));
    await spool.drain(); // waits through the failures and their backoff
    assert.equal(await count('f-'), 3);
    assert.match(health[2]!, /^the delivery spool cannot be loaded into the store \(failing for \d+ s, 3 deliveries waiting\): thread stopped$/);
    assert.deepEqual(spool.health(), { ok: true }, 'healthy again once a load succeeds');
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

  it('sets aside a delivery the store refuses even without its payload, with its reason, and loads the rest; logs name ids, never payloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const logs: string[] = [];
    const spool = await openDeliverySpool({ dir, db: store.db, log: (m) => logs.push(m) });
    const marker = 'PAYLOAD-MARKER-7f3a';
    // jsonb cannot hold \u0000 (refused with its payload); text cannot hold NUL (refused even without it).
    const refusedPayload = { ...delivery('h-2'), payload: undefined, payloadText: `{"zen":"${marker} \\u0000"}` };
    const refusedAlways = { ...delivery('h-3\u0000x'), payload: undefined, payloadText: `{"zen":"${marker}"}` };
    await Promise.all([spool.write(delivery('h-1')), spool.write(refusedPayload), spool.write(refusedAlways), spool.write(delivery('h-4'))]);
    await spool.close();
    assert.equal(await count('h-'), 3, 'h-1, h-2 (without its payload) and h-4');
    const reasons = readFileSync(join(dir, 'set-aside', 'reasons.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { deliveryId: string; reason: string });
    assert.deepEqual(reasons.map((r) => r.deliveryId), ['h-3\u0000x']);
    assert.match(reasons[0]!.reason, /^the store refused the delivery, even without its payload \(/);
    assert.ok(readFileSync(join(dir, 'set-aside', 'deliveries.log')).includes(marker), 'the record itself is kept');
    assert.ok(logs.some((m) => m.includes('delivery h-2 (push) stored without its payload')), logs.join('\n'));
    assert.ok(logs.some((m) => m.includes('(push) set aside in')), logs.join('\n'));
    for (const line of logs) assert.ok(!line.includes(marker) && !line.includes('Failed query'), `a log line carries a payload or a query: ${line.slice(0, 200)}`);
    const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, 'h-2'));
    assert.ok(!(row?.outcome ?? '').includes(marker), 'nor does the stored outcome');
    assert.deepEqual(readdirSync(dir).sort(), ['set-aside'], 'the segment itself is done');
  });

  it('shuts down within its time limit while a load hangs, leaving the deliveries in the spool for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const logs: string[] = [];
    const spool = await openDeliverySpool({ dir, db: store.db, loadOffThread: () => new Promise(() => {}), stallMs: 50, log: (m) => logs.push(m) });
    await Promise.all(['i-1', 'i-2'].map((id) => spool.write(delivery(id))));
    const health = await eventually('the hanging load reported', async () => {
      const now = spool.health();
      return now.ok ? undefined : now;
    });
    assert.match(health.reason, /^a load of the delivery spool has not finished in \d+ s \(2 deliveries waiting\)$/);
    const started = performance.now();
    await spool.close({ timeoutMs: 300 });
    assert.ok(performance.now() - started < 2_000, 'close returned');
    assert.ok(logs.some((m) => /not loaded within 300 ms of shutting down; 2 deliveries left in the spool/.test(m)), logs.join('\n'));
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('segment-')).length, 1);
    const next = await openDeliverySpool({ dir, db: store.db });
    await next.close();
    assert.equal(await count('i-'), 2);
  });

  it('makes /readyz answer 503 with the reason while the loader cannot load, and 200 once it can', async () => {
    let failing = true;
    const spool = await openDeliverySpool({
      dir: mkdtempSync(join(tmpdir(), 'spool-')),
      db: store.db,
      loadOffThread: (range) => (failing ? Promise.reject(new Error('the store thread stopped')) : loadSpoolRange(store.db, range)),
      log: () => {},
    });
    const app = createHttpApp({ db: store.db, webhookSecret: 's', writer: spool, readiness: serviceReadiness(store.db, spool), log: () => {} });
    const body = JSON.stringify({ zen: 'z', hook_id: 1 });
    assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders('s', 'ping', body, 'j-1') })).status, 202);
    const stalled = await eventually('a stalled loader', async () => {
      const res = await app.request('/readyz');
      return res.status === 503 ? ((await res.json()) as { reason: string }) : undefined;
    });
    assert.match(stalled.reason, /^the delivery spool cannot be loaded into the store \(failing for \d+ s, 1 deliveries waiting\): the store thread stopped$/);
    failing = false;
    await spool.drain();
    assert.equal((await app.request('/readyz')).status, 200);
    await spool.close();
    assert.equal(await count('j-'), 1);
  });

  it('refuses new deliveries (to be redelivered) when the backlog is full', async () => {
    const spool = await openDeliverySpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), db: store.db, maxBacklog: 0 });
    await assert.rejects(spool.write(delivery('d-1')));
    await spool.close();
  });
});
