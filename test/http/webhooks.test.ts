import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload, pullRequestPayload, installationPayload } from '../harness/payloads.ts';
import { signWebhook, webhookHeaders } from '../harness/sign-webhook.ts';

const secret = 'webhook-secret-for-tests';
const repo = { fullName: 'acme/api', defaultBranch: 'main' };
let store: Store;
let app: ReturnType<typeof createHttpApp>;

before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  app = createHttpApp({ db: store.db, webhookSecret: secret, log: () => {} });
});
after(async () => {
  await store.close();
});

function send(event: string, payload: unknown, init: { headers?: Record<string, string>; deliveryId?: string } = {}) {
  const body = JSON.stringify(payload);
  return app.request('/webhooks/github', {
    method: 'POST',
    body,
    headers: { ...webhookHeaders(secret, event, body, init.deliveryId), ...init.headers },
  });
}

async function deliveryRow(id: string) {
  const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row;
}

async function jobCount(id: string): Promise<number> {
  const rows = await store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${id}`));
  return rows.length;
}

describe('POST /webhooks/github', () => {
  it('stores a signed push to the default branch and its job, and answers 202', async () => {
    const id = crypto.randomUUID();
    const res = await send('push', pushPayload({ repo, installationId: 1, after: 'a'.repeat(40), before: 'b'.repeat(40) }), { deliveryId: id });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { delivery: id, status: 'queued' });
    const row = await deliveryRow(id);
    assert.equal(row?.event, 'push');
    assert.equal(row?.installationId, 1);
    assert.equal(await jobCount(id), 1);
  });

  it('acknowledges a redelivery without storing or enqueuing it twice', async () => {
    const id = crypto.randomUUID();
    const payload = pullRequestPayload({ action: 'opened', repo, installationId: 1, number: 7, headSha: 'c'.repeat(40) });
    assert.equal((await send('pull_request', payload, { deliveryId: id })).status, 202);
    const again = await send('pull_request', payload, { deliveryId: id });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { status: string }).status, 'duplicate');
    assert.equal(await jobCount(id), 1);
  });

  it('stores two copies of one delivery sent at the same time once', async () => {
    const id = crypto.randomUUID();
    const payload = installationPayload({ action: 'created', installationId: 9, account: 'acme', repositories: ['acme/api'] });
    const statuses = (await Promise.all([send('installation', payload, { deliveryId: id }), send('installation', payload, { deliveryId: id })])).map((r) => r.status);
    assert.deepEqual(statuses.sort(), [200, 202]);
    assert.equal(await jobCount(id), 1);
  });

  it('rejects a wrong signature with 401 and stores nothing', async () => {
    const id = crypto.randomUUID();
    const res = await send('push', pushPayload({ repo, installationId: 1, after: 'd'.repeat(40) }), {
      deliveryId: id,
      headers: { 'x-hub-signature-256': signWebhook('another-secret', '{}') },
    });
    assert.equal(res.status, 401);
    assert.equal(await deliveryRow(id), undefined);
  });

  it('rejects a missing signature with 401', async () => {
    const id = crypto.randomUUID();
    const body = JSON.stringify({ zen: 'hi' });
    const headers = webhookHeaders(secret, 'ping', body, id);
    delete headers['x-hub-signature-256'];
    const res = await app.request('/webhooks/github', { method: 'POST', body, headers });
    assert.equal(res.status, 401);
    assert.equal(await deliveryRow(id), undefined);
  });

  it('rejects a body signed correctly but not JSON with 400', async () => {
    const body = '{"action": "opened",';
    const res = await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'pull_request', body) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /JSON/);
  });

  it('refuses a body nested deeper than GitHub ever sends with 400, before parsing it, and stores nothing; 100 levels pass', async () => {
    const nested = (depth: number, open: string, close: string, inner = '1') => `{"zen":"z","hook_id":1,"deep":${open.repeat(depth)}${inner}${close.repeat(depth)}}`;
    for (const body of [nested(100_000, '{"a":', '}'), nested(1_000_000, '[', ']', ''), nested(100, '[', ']', '"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["')]) {
      const id = crypto.randomUUID();
      const res = await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'ping', body, id) });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /^body nests deeper than 100 levels: GitHub sends no such payload$/);
      assert.equal(await deliveryRow(id), undefined);
    }
    // 99 levels inside the object (100 in all); brackets inside strings do not count.
    const id = crypto.randomUUID();
    const ok = nested(99, '[', ']', '"]]]][[[[{{{{"');
    assert.equal((await app.request('/webhooks/github', { method: 'POST', body: ok, headers: webhookHeaders(secret, 'ping', ok, id) })).status, 202);
    assert.equal((await deliveryRow(id))?.outcome, 'pong');
  });

  it('rejects a wrong content type with 415', async () => {
    const body = '{}';
    const res = await app.request('/webhooks/github', {
      method: 'POST',
      body,
      headers: { ...webhookHeaders(secret, 'ping', body), 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 415);
  });

  it('accepts a form-encoded delivery (payload=…) signed over the form body', async () => {
    const id = crypto.randomUUID();
    const body = new URLSearchParams({ payload: JSON.stringify({ zen: 'Keep it simple.', hook_id: 1 }) }).toString();
    const res = await app.request('/webhooks/github', {
      method: 'POST',
      body,
      headers: { ...webhookHeaders(secret, 'ping', body, id), 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 202);
    assert.equal((await deliveryRow(id))?.outcome, 'pong');
  });

  it('rejects a body over the limit with 413, by Content-Length and while streaming', async () => {
    const small = createHttpApp({ db: store.db, webhookSecret: secret, maxBodyBytes: 1024, log: () => {} });
    const body = JSON.stringify({ padding: 'x'.repeat(4096) });
    const declared = await small.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'push', body) });
    assert.equal(declared.status, 413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(512)));
        controller.close();
      },
    });
    const headers = webhookHeaders(secret, 'push', body);
    const streamed = await small.request('/webhooks/github', { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  it('records events it does not handle, with an outcome, and enqueues nothing', async () => {
    const id = crypto.randomUUID();
    const res = await send('star', { action: 'created', repository: { id: 1 } }, { deliveryId: id });
    assert.equal(res.status, 202);
    assert.match((await deliveryRow(id))?.outcome ?? '', /not handled/);
    assert.equal(await jobCount(id), 0);
  });

  it('records a push to another branch, and a deleted branch, without a job', async () => {
    const other = crypto.randomUUID();
    await send('push', pushPayload({ repo, installationId: 1, ref: 'refs/heads/feature', after: 'e'.repeat(40) }), { deliveryId: other });
    assert.match((await deliveryRow(other))?.outcome ?? '', /not the default branch/);
    assert.equal(await jobCount(other), 0);
    const deleted = crypto.randomUUID();
    await send('push', pushPayload({ repo, installationId: 1, before: 'e'.repeat(40), after: '0'.repeat(40) }), { deliveryId: deleted });
    assert.match((await deliveryRow(deleted))?.outcome ?? '', /deleted/);
    assert.equal(await jobCount(deleted), 0);
  });

  it('answers 503 with Retry-After when the store fails, and a redelivery then succeeds', async () => {
    const failing = createHttpApp({
      db: store.db,
      webhookSecret: secret,
      log: () => {},
      writer: { write: async () => Promise.reject(new Error('connection refused')), drain: async () => {} },
    });
    const body = JSON.stringify(pushPayload({ repo, installationId: 1, after: 'f'.repeat(40) }));
    const id = crypto.randomUUID();
    const res = await failing.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) });
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    const retry = await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) });
    assert.equal(retry.status, 202);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz once migrations are applied', async () => {
    assert.equal((await app.request('/healthz')).status, 200);
    assert.equal((await app.request('/readyz')).status, 200);
  });

  it('is not ready when the database does not answer', async () => {
    const broken = createHttpApp({
      db: { execute: async () => Promise.reject(new Error('down')) } as unknown as Store['db'],
      webhookSecret: secret,
      log: () => {},
    });
    const res = await broken.request('/readyz');
    assert.equal(res.status, 503);
  });
});

describe('metrics API', () => {
  it('refuses requests without a token or with a wrong one, and takes them with SLIPWAY_API_TOKEN', async () => {
    await upsertInstallation(store.db, { id: 4242, accountLogin: 'acme' });
    await upsertRepositories(store.db, 4242, [{ id: 424200, fullName: 'acme/hello' }]);
    const body = JSON.stringify({ repository: 'acme/hello', app: 'hello', service: 'web', metric: 'cpu', samples: [[Date.now() - 60_000, 42]] });
    assert.equal((await app.request('/api/v1/metrics', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status, 401);
    const withApi = createHttpApp({ db: store.db, webhookSecret: secret, apiToken: 'api-token', log: () => {} });
    const denied = await withApi.request('/api/v1/metrics', { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' } });
    assert.equal(denied.status, 401);
    const ok = await withApi.request('/api/v1/metrics', { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer api-token' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { written: 1 });
  });
});
