/**
 * `POST /api/v1/reconcile`: an admin token queues the tick `slipway reconcile --once` would (the
 * same requestTick, the same concurrency key); other roles are refused; every call is audited.
 * On every store engine.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { findJob } from '../../src/jobs/find-job.ts';
import { tickJobKind } from '../../src/reconcile/tick-job.ts';
import { auditLog } from '../../src/store/schema.ts';
import { createToken } from '../../src/tokens/create-token.ts';
import { forEachEngine } from '../store/engines.ts';

forEachEngine('reconcile through the API', (engine) => {
  const post = async (app: ReturnType<typeof createHttpApp>, path: string, token: string) => app.request(`/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('queues one reconcile tick for an admin token (202 with the job), refuses the others, and audits the calls', async () => {
    const db = engine.store().db;
    const admin = await createToken(db, { name: 'ops', role: 'admin', repositories: null, createdBy: 'cli:test' });
    const deployer = await createToken(db, { name: 'ci', role: 'deploy', repositories: null, createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {} });
    assert.equal((await post(app, '/reconcile', deployer.token)).status, 403);
    const res = await post(app, '/reconcile', admin.token);
    assert.equal(res.status, 202, await res.clone().text());
    const body = (await res.json()) as { status: string; job: number };
    assert.equal(body.status, 'queued');
    const job = await findJob(db, body.job);
    assert.deepEqual([job?.kind, job?.status, job?.concurrencyKey], [tickJobKind, 'queued', 'reconcile.tick']);
    const second = (await (await post(app, '/reconcile', admin.token)).json()) as { job: number };
    assert.notEqual(second.job, body.job, 'each call queues a tick of its own');
    const entries = await db.select().from(auditLog).where(eq(auditLog.action, 'reconcile.tick')).orderBy(auditLog.id);
    assert.deepEqual(entries.slice(-3).map((e) => [e.result, (e.details as { job?: number }).job ?? null]), [['denied', null], ['ok', body.job], ['ok', second.job]]);
  });
});
