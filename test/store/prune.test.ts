// Retention: what the reconcile tick deletes and what it keeps, on every engine.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inArray, sql } from 'drizzle-orm';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { appendDeploymentLog } from '../../src/store/deployment-logs.ts';
import { createDeployment } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { prune } from '../../src/store/prune.ts';
import { deploymentLogs, jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { insertDeliveries } from '../../src/store/webhook-deliveries.ts';
import { createTenant, forEachEngine, unique } from './engines.ts';

const day = 86_400_000;

forEachEngine('prune', (engine) => {
  it('deletes worked deliveries, finished jobs and old logs past their retention, and keeps work not done and the newest deployment’s log', async () => {
    const db = engine.store().db;
    const now = new Date();
    const old = new Date(now.getTime() - 40 * day);
    const [workedOld, pendingOld, workedNew] = [unique('d'), unique('d'), unique('d')];
    await insertDeliveries(db, [
      { deliveryId: workedOld, event: 'ping', action: null, installationId: null, outcome: 'pong' },
      { deliveryId: pendingOld, event: 'push', action: null, installationId: null },
      { deliveryId: workedNew, event: 'ping', action: null, installationId: null, outcome: 'pong' },
    ]);
    await db.update(webhookDeliveries).set({ receivedAt: old }).where(inArray(webhookDeliveries.deliveryId, [workedOld, pendingOld]));

    const kind = unique('kind');
    const inserted = await db.insert(jobs).values([
      { kind, status: 'completed', finishedAt: old },
      { kind, status: 'dead', finishedAt: old },
      { kind, status: 'queued' },
      { kind, status: 'completed', finishedAt: now },
    ]).returning({ id: jobs.id, status: jobs.status });

    const { repositoryId } = await createTenant(db);
    const app = await getOrCreateApp(db, { repositoryId, name: 'shop' });
    const env = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
    const older = await createDeployment(db, { appId: app.id, environmentId: env.id, commitSha: 'a'.repeat(40) });
    const newest = await createDeployment(db, { appId: app.id, environmentId: env.id, commitSha: 'b'.repeat(40) });
    await appendDeploymentLog(db, [{ deploymentId: older.id, step: 'apply', text: 'old run' }, { deploymentId: newest.id, step: 'apply', text: 'newest run' }]);
    await db.execute(sql`update deployment_logs set created_at = ${old.toISOString()}::timestamptz where deployment_id in (${older.id}, ${newest.id})`);

    const pruned = await prune(db, { deliveriesMs: 30 * day, jobsMs: 7 * day, logsMs: 30 * day }, now);
    assert.ok(pruned.deliveries >= 1 && pruned.jobs >= 2 && pruned.logs >= 1, JSON.stringify(pruned));

    const deliveries = new Set((await db.select({ id: webhookDeliveries.deliveryId }).from(webhookDeliveries).where(inArray(webhookDeliveries.deliveryId, [workedOld, pendingOld, workedNew]))).map((r) => r.id));
    assert.deepEqual([...deliveries].sort(), [pendingOld, workedNew].sort());
    const left = await db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, inserted.map((j) => j.id)));
    assert.deepEqual(left.map((j) => j.status).sort(), ['completed', 'queued']);
    const logs = await db.select({ deploymentId: deploymentLogs.deploymentId }).from(deploymentLogs).where(inArray(deploymentLogs.deploymentId, [older.id, newest.id]));
    assert.deepEqual(logs.map((l) => l.deploymentId), [newest.id]);
  });
});
