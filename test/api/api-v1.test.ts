import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { saveDriftCheck } from '../../src/store/drift-checks.ts';
import { auditLog, jobs } from '../../src/store/schema.ts';
import { createToken, revokeToken } from '../../src/tokens/create-token.ts';
import { seedApp, type Seeded } from '../harness/seed-store.ts';

let store: Store;
let app: ReturnType<typeof createHttpApp>;
let shop: Seeded;
let other: Seeded;
const tokens: Record<string, string> = {};

before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  app = createHttpApp({ db: store.db, webhookSecret: 's', log: () => {}, apiRateLimit: 1000, clientAddress: () => '203.0.113.9' });
  shop = await seedApp(store.db, { repository: 'acme/shop', app: 'web', statuses: ['succeeded', 'failed', 'planned'] });
  await seedApp(store.db, { repository: 'acme/shop', app: 'worker', environment: 'staging', statuses: ['succeeded'] });
  other = await seedApp(store.db, { repository: 'globex/secret', app: 'web', statuses: ['planned'] });
  const make = async (name: string, role: 'read' | 'deploy' | 'admin', repositories: string[] | null, expiresInMs?: number) =>
    (tokens[name] = (await createToken(store.db, { name, role, repositories, createdBy: 'cli:test', ...(expiresInMs !== undefined ? { expiresInMs } : {}) })).token);
  await make('reader', 'read', ['acme/*']);
  await make('deployer', 'deploy', ['acme/shop']);
  await make('admin', 'admin', null);
  await make('expired', 'admin', null, 60_000);
  await make('revoked', 'admin', null);
});
after(async () => {
  await store.close();
});

function call(path: string, token: string | undefined, init: RequestInit = {}) {
  return app.request(`/api/v1${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
}
async function body(res: Response) {
  return (await res.json()) as any;
}
async function lastAudit() {
  const [row] = await store.db.select().from(auditLog).orderBy(auditLog.id).then((rows) => rows.slice(-1));
  return row!;
}

describe('API v1: the document', () => {
  it('serves an OpenAPI 3.1 document generated from the request schemas, without a token', async () => {
    const res = await call('/openapi.json', undefined);
    assert.equal(res.status, 200);
    const doc = await body(res);
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/apps', '/environments', '/deployments', '/deployments/{id}', '/deployments/{id}/log', '/deployments/{id}/apply', '/deployments/{id}/plan', '/recommendations', '/deliveries', '/audit', '/metrics']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    assert.ok(doc.components.schemas.Deployment.properties.status.enum.includes('planned'));
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    const limit = doc.paths['/deployments'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.equal(limit.schema.maximum, 1000);
  });
});

describe('API v1: the generated reference', () => {
  it('docs/openapi.json and docs/api-reference.md equal a fresh generation (run `npm run api-docs`)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { openApiDocument, referenceMarkdown } = await import('../../src/api/api-reference.ts');
    const doc = await openApiDocument();
    assert.equal(await readFile('docs/openapi.json', 'utf8'), `${JSON.stringify(doc, null, 2)}\n`);
    assert.equal(await readFile('docs/api-reference.md', 'utf8'), referenceMarkdown(doc));
    assert.deepEqual(doc, await body(await call('/openapi.json', undefined)));
  });
});

describe('API v1: tokens', () => {
  it('answers 401 without a token, with one nobody issued, and with an expired or revoked one', async () => {
    assert.equal((await body(await call('/deployments', undefined))).code, 'unauthorized');
    assert.equal((await call('/deployments', 'slw_not-a-token')).status, 401);
    await store.db.execute((await import('drizzle-orm')).sql`update api_tokens set expires_at = now() - interval '1 minute' where name = 'expired'`);
    const expired = await call('/deployments', tokens.expired);
    assert.equal(expired.status, 401);
    assert.equal((await body(expired)).code, 'token_expired');
    const [revokedRow] = await store.db.select().from((await import('../../src/store/schema.ts')).apiTokens).where(eq((await import('../../src/store/schema.ts')).apiTokens.name, 'revoked'));
    assert.equal((await call('/deployments', tokens.revoked)).status, 200);
    await revokeToken(store.db, { id: revokedRow!.id, actor: 'cli:test' });
    const revoked = await call('/deployments', tokens.revoked);
    assert.equal(revoked.status, 401);
    assert.equal((await body(revoked)).code, 'token_revoked');
  });

  it('stores only a hash of each token', async () => {
    const rows = await store.db.select().from((await import('../../src/store/schema.ts')).apiTokens);
    const text = JSON.stringify(rows);
    for (const token of Object.values(tokens)) assert.ok(!text.includes(token));
    assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash)));
  });

  it('limits a token to its repositories: others are not listed and are 404 when asked for', async () => {
    const list = await body(await call('/deployments?limit=100', tokens.reader));
    assert.ok(list.items.length >= 4);
    assert.ok(list.items.every((d: { repository: string }) => d.repository === 'acme/shop'));
    assert.equal((await call(`/deployments/${other.deploymentIds[0]}`, tokens.reader)).status, 404);
    const adminView = await call(`/deployments/${other.deploymentIds[0]}`, tokens.admin);
    assert.equal(adminView.status, 200);
  });

  it('answers 403 to a token whose role does not allow the call', async () => {
    const res = await call('/audit', tokens.reader);
    assert.equal(res.status, 403);
    assert.match((await body(res)).error, /has role read; this needs admin/);
    assert.equal((await call('/deliveries', tokens.deployer)).status, 403);
  });

  it('enforces on every documented operation the role the document declares', async () => {
    const doc = await body(await call('/openapi.json', undefined));
    const below: Record<string, string | undefined> = { read: undefined, deploy: tokens.reader, admin: tokens.deployer };
    const at: Record<string, string> = { read: tokens.reader!, deploy: tokens.deployer!, admin: tokens.admin! };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { 'x-slipway-role': string }>>)) {
      for (const [method, op] of Object.entries(operations)) {
        const role = op['x-slipway-role'];
        assert.ok(role in at, `${method} ${path} declares a role`);
        // A deployment the tokens can all see, but not a planned one: nothing gets queued here.
        const url = path.replace('{id}', String(shop.deploymentIds[0]));
        const init = method === 'get' ? {} : { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: '{}' };
        if (below[role]) assert.equal((await call(url, below[role], init)).status, 403, `${method} ${path} refuses a lower role`);
        const allowed = await call(url, at[role], init);
        assert.ok(allowed.status !== 403 && allowed.status !== 401, `${method} ${path} lets role ${role} in: ${allowed.status}`);
        checked += 1;
      }
    }
    assert.ok(checked >= 11);
  });

  it('answers 429 with Retry-After past a token’s rate limit', async () => {
    const limited = createHttpApp({ db: store.db, webhookSecret: 's', log: () => {}, apiRateLimit: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.request('/api/v1/apps', { headers: { authorization: `Bearer ${tokens.reader}` } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    // Another token has its own allowance.
    assert.equal((await limited.request('/api/v1/apps', { headers: { authorization: `Bearer ${tokens.admin}` } })).status, 200);
  });
});

describe('API v1: reads', () => {
  it('reads one deployment with its plan, outputs (sensitive ones by name only), failure and history', async () => {
    const [succeeded, failed] = shop.deploymentIds;
    const d = await body(await call(`/deployments/${succeeded}`, tokens.reader));
    assert.equal(d.status, 'succeeded');
    assert.equal(d.repository, 'acme/shop');
    assert.deepEqual(d.plan, { counts: { create: 2 }, changed: ['create terraform_data.web'] });
    assert.deepEqual(d.outputs, { url: { sensitive: false, value: 'https://web.example' }, password: { sensitive: true } });
    assert.deepEqual(d.history.map((e: { status: string }) => e.status), ['queued', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal('terraformJson' in d, false);
    assert.equal((await body(await call(`/deployments/${failed}`, tokens.reader))).status, 'failed');
    assert.deepEqual(await body(await call(`/deployments/${succeeded}/log`, tokens.reader)), { items: [] });
  });

  it('pages newest first and filters by repository, app, environment and status', async () => {
    const first = await body(await call('/deployments?limit=2', tokens.admin));
    assert.equal(first.items.length, 2);
    assert.ok(first.items[0].id > first.items[1].id);
    const second = await body(await call(`/deployments?limit=2&before=${first.next}`, tokens.admin));
    assert.ok(second.items.every((d: { id: number }) => d.id < first.items[1].id));
    const staging = await body(await call('/deployments?environment=staging', tokens.admin));
    assert.deepEqual(staging.items.map((d: { app: string }) => d.app), ['worker']);
    const failed = await body(await call('/deployments?status=failed&repository=acme/shop&app=web', tokens.admin));
    assert.deepEqual(failed.items.map((d: { id: number }) => d.id), [shop.deploymentIds[1]]);
    assert.equal(failed.next, null);
    const apps = await body(await call('/apps?repository=acme/shop', tokens.reader));
    assert.deepEqual(apps.items.map((a: { name: string }) => a.name).sort(), ['web', 'worker']);
    const envs = await body(await call('/environments?app=worker', tokens.reader));
    assert.deepEqual(envs.items.map((e: { name: string }) => e.name), ['staging']);
    assert.deepEqual((await body(await call('/recommendations', tokens.reader))).items, []);
  });

  it('lists each environment with its last drift check, and null where none ran', async () => {
    const checkedAt = new Date('2026-12-01T10:00:00Z');
    await saveDriftCheck(store.db, { environmentId: shop.environmentId, appId: shop.appId, status: 'drifted', checkedAt, driftedSince: checkedAt, report: { counts: { resources: 2, attributes: 3 } }, everyMinutes: 60, issueNumber: 7 });
    const envs = await body(await call('/environments?repository=acme/shop', tokens.reader));
    const drift = Object.fromEntries(envs.items.map((e: { app: string; drift: unknown }) => [e.app, e.drift]));
    assert.deepEqual(drift, {
      web: { status: 'drifted', checkedAt: checkedAt.toISOString(), driftedSince: checkedAt.toISOString(), resources: 2, attributes: 3, error: null, issueNumber: 7, everyMinutes: 60 },
      worker: null,
    });
  });

  it('refuses unknown and malformed parameters with a 400 naming them', async () => {
    const unknown = await call('/deployments?enviroment=production', tokens.reader);
    assert.equal(unknown.status, 400);
    const b = await body(unknown);
    assert.equal(b.code, 'invalid_request');
    assert.match(b.error, /enviroment/);
    const badLimit = await body(await call('/deployments?limit=5000', tokens.reader));
    assert.match(badLimit.error, /limit/);
    assert.equal((await call('/deployments/abc', tokens.reader)).status, 400);
    assert.equal((await call('/deployments?status=done', tokens.reader)).status, 400);
  });
});

describe('API v1: apply and the audit log', () => {
  const planned = () => shop.deploymentIds[2]!;
  const post = (path: string, token: string | undefined, payload: unknown = {}, headers: Record<string, string> = {}) =>
    call(path, token, { method: 'POST', body: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

  it('refuses bad input with a clear 4xx, changes nothing, and audits each refusal', async () => {
    const cases: Array<[() => Response | Promise<Response>, number, string, string]> = [
      [() => post(`/deployments/${planned()}/apply`, undefined), 401, 'unauthorized', 'denied'],
      [() => post(`/deployments/${planned()}/apply`, tokens.expired), 401, 'token_expired', 'denied'],
      [() => post(`/deployments/${planned()}/apply`, tokens.reader), 403, 'forbidden', 'denied'],
      [() => post(`/deployments/${other.deploymentIds[0]}/apply`, tokens.deployer), 404, 'not_found', 'invalid'],
      [() => post(`/deployments/${planned()}/apply`, tokens.deployer, '{"reason": '), 400, 'invalid_request', 'invalid'],
      [() => post(`/deployments/${planned()}/apply`, tokens.deployer, { reason: 'x', force: true }), 400, 'invalid_request', 'invalid'],
      [() => post(`/deployments/${planned()}/apply`, tokens.deployer, { reason: 'x'.repeat(20_000) }), 413, 'payload_too_large', 'invalid'],
      [() => post(`/deployments/${shop.deploymentIds[0]}/apply`, tokens.deployer), 409, 'conflict', 'invalid'],
    ];
    for (const [send, status, code, result] of cases) {
      const res = await send();
      const b = await body(res);
      assert.equal(res.status, status, JSON.stringify(b));
      assert.equal(b.code, code);
      const entry = await lastAudit();
      assert.equal(entry.result, result, JSON.stringify(entry));
      assert.equal(entry.source, '203.0.113.9');
      assert.equal((entry.details as { status: number }).status, status);
    }
    const queued = await store.db.select().from(jobs).where(eq(jobs.kind, 'deployment.apply'));
    assert.equal(queued.length, 0, 'nothing was queued');
    const expiredEntry = (await store.db.select().from(auditLog).where(eq(auditLog.result, 'denied'))).find((e) => (e.details as { reason?: string }).reason?.includes('expired'));
    assert.match(expiredEntry!.actor, /^token:\d+:expired$/, 'an expired token is named in the audit log');
    const forbidden = await store.db.select().from(auditLog).where(and(eq(auditLog.result, 'denied'), eq(auditLog.action, 'deployment.apply')));
    const refusedReader = forbidden.find((e) => e.subject === `deployment:${planned()}`);
    assert.match(refusedReader!.actor, /^token:\d+:reader$/);
  });

  it('queues the runner for a planned deployment once, and audits who asked', async () => {
    const res = await post(`/deployments/${planned()}/apply`, tokens.deployer, { reason: 'release 1.2' });
    assert.equal(res.status, 202);
    const b = await body(res);
    assert.equal(b.status, 'queued');
    const [job] = await store.db.select().from(jobs).where(eq(jobs.id, b.job));
    assert.equal(job!.kind, 'deployment.apply');
    assert.deepEqual(job!.payload, { deploymentId: planned(), actor: job!.payload.actor, mode: 'apply', reason: 'release 1.2' });
    assert.match(String(job!.payload.actor), /^token:\d+:deployer$/);
    const entry = await lastAudit();
    assert.equal(entry.action, 'deployment.apply');
    assert.equal(entry.result, 'ok');
    assert.equal((entry.details as { job: number }).job, b.job);
    const again = await post(`/deployments/${planned()}/apply`, tokens.deployer);
    assert.equal(again.status, 409);
  });

  it('never stores a token or a body in the audit log', async () => {
    const text = JSON.stringify(await store.db.select().from(auditLog));
    for (const token of Object.values(tokens)) assert.ok(!text.includes(token));
    assert.ok(!text.includes('xxxxxxxxxx'));
  });

  it('reads the audit log through the API (admin), filtered', async () => {
    const page = await body(await call('/audit?action=deployment.apply&result=denied', tokens.admin));
    assert.ok(page.items.length >= 1);
    assert.ok(page.items.every((e: { action: string; result: string }) => e.action === 'deployment.apply' && e.result === 'denied'));
    const tokenEvents = await body(await call('/audit?action=token.create&limit=10', tokens.admin));
    assert.equal(tokenEvents.items.length, 5);
  });

  it('is append-only in the code: no source file updates or deletes audit rows', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const files = (readdirSync('src', { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join('src', f));
    assert.ok(files.length > 100);
    const offenders = files.filter((f) => /\.(update|delete)\(\s*auditLog\b|\b(update|delete\s+from|truncate)\s+"?audit_log\b/i.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('is append-only: the store refuses to update, delete or truncate audit rows', async () => {
    const before = (await store.db.select().from(auditLog)).length;
    await assert.rejects(store.db.update(auditLog).set({ result: 'ok' }));
    await assert.rejects(store.db.delete(auditLog));
    await assert.rejects(store.db.execute((await import('drizzle-orm')).sql`truncate audit_log`));
    assert.equal((await store.db.select().from(auditLog)).length, before);
  });
});
