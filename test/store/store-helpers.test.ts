import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { recentAudit, writeAudit } from '../../src/store/audit-log.ts';
import {
  appendDeploymentEvent,
  createDeployment,
  createPlannedDeployment,
  deploymentHistory,
  lastAppliedDeployment,
  setDeploymentStatus,
} from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { removeInstallation, upsertInstallation } from '../../src/store/installations.ts';
import { hasMetricSamples, insertMetricSeries, readMetricSamples } from '../../src/store/metric-samples.ts';
import { insertDeliveries, setDeliveryOutcome } from '../../src/store/webhook-deliveries.ts';
import { findRepository, removeRepositories, upsertRepositories } from '../../src/store/repositories.ts';
import { deployments, installations, webhookDeliveries } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { createTenant, forEachEngine, githubId, unique } from './engines.ts';


async function anApp(db: Parameters<typeof getOrCreateApp>[0]) {
  const installationId = githubId();
  const repoId = githubId();
  await upsertInstallation(db, { id: installationId, accountLogin: 'acme' });
  await upsertRepositories(db, installationId, [{ id: repoId, fullName: 'acme/shop', defaultBranch: 'main' }]);
  const app = await getOrCreateApp(db, { repositoryId: repoId, name: unique('shop') });
  const production = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
  return { installationId, repoId, app, production };
}

forEachEngine('store helpers', (engine) => {
  test('a delivery is recorded once; a redelivery of the same id is reported as not new', async () => {
    const { db } = engine.store();
    const deliveryId = unique('delivery');
    const first = await insertDeliveries(db, [{ deliveryId, event: 'push', action: null, installationId: 1, payloadText: '{"ref": "refs/heads/main"}' }]);
    const again = await insertDeliveries(db, [{ deliveryId, event: 'push', action: null, installationId: 1 }]);
    assert.deepEqual([[...first], [...again]], [[deliveryId], []]);
    await setDeliveryOutcome(db, deliveryId, 'planned');
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    assert.equal(row?.outcome, 'planned');
    assert.deepEqual(row?.payload, { ref: 'refs/heads/main' });
  });

  test('a delivery recorded in a transaction that rolls back is not stored', async () => {
    const { db } = engine.store();
    const deliveryId = unique('delivery');
    await assert.rejects(
      db.transaction(async (tx) => {
        await insertDeliveries(tx, [{ deliveryId, event: 'push', action: null, installationId: null }]);
        throw new Error('handler failed');
      }),
      /handler failed/,
    );
    assert.deepEqual([...(await insertDeliveries(db, [{ deliveryId, event: 'push', action: null, installationId: null }]))], [deliveryId]);
  });

  test('installations and repositories are upserted, then marked removed', async () => {
    const { db } = engine.store();
    const id = githubId();
    await upsertInstallation(db, { id, accountLogin: 'old-name' });
    const renamed = await upsertInstallation(db, { id, accountLogin: 'new-name', suspended: true });
    assert.equal(renamed.accountLogin, 'new-name');
    assert.ok(renamed.suspendedAt instanceof Date);
    const [a, b] = [githubId(), githubId()];
    await upsertRepositories(db, id, [{ id: a, fullName: 'o/a', defaultBranch: 'main' }, { id: b, fullName: 'o/b' }]);
    const again = await upsertRepositories(db, id, [{ id: a, fullName: 'o/a-renamed' }]);
    assert.equal(again[0]?.fullName, 'o/a-renamed');
    assert.equal(again[0]?.defaultBranch, 'main', 'a missing default branch keeps the known one');
    assert.equal(await removeRepositories(db, id, [b]), 1);
    assert.ok((await findRepository(db, b))?.removedAt instanceof Date);
    assert.equal((await findRepository(db, a))?.removedAt, null);
    await removeInstallation(db, id);
    const [row] = await db.select().from(installations).where(eq(installations.id, id));
    assert.ok(row?.removedAt instanceof Date);
  });

  test('apps and environments are created once and found again', async () => {
    const { db } = engine.store();
    const { repoId, app, production } = await anApp(db);
    const sameApp = await getOrCreateApp(db, { repositoryId: repoId, name: app.name });
    assert.equal(sameApp.id, app.id);
    assert.equal(production.kind, 'production');
    const preview = await getOrCreateEnvironment(db, { appId: app.id, name: 'pr-7', kind: 'preview', pullRequest: 7 });
    const previewAgain = await getOrCreateEnvironment(db, { appId: app.id, name: 'pr-7' });
    assert.equal(previewAgain.id, preview.id);
    assert.equal(previewAgain.pullRequest, 7);
  });

  test('a deployment moves through its lifecycle with an append-only history', async () => {
    const { db } = engine.store();
    const { app, production } = await anApp(db);
    const d = await createDeployment(db, { appId: app.id, environmentId: production.id, commitSha: 'abc123', actor: 'octocat' });
    assert.equal(d.status, 'queued');
    await setDeploymentStatus(db, { deploymentId: d.id, status: 'planning', actor: 'slipway' });
    const planned = await setDeploymentStatus(db, {
      deploymentId: d.id,
      status: 'planned',
      actor: 'slipway',
      planSummary: { counts: { create: 3 }, changed: [] },
      monthlyCostUsd: 42.5,
      terraformJson: { resource: {} },
    });
    assert.deepEqual(planned.planSummary, { counts: { create: 3 }, changed: [] });
    assert.equal(planned.monthlyCostUsd, 42.5);
    assert.ok(planned.startedAt instanceof Date);
    await appendDeploymentEvent(db, { deploymentId: d.id, status: 'planned', actor: 'reviewer', reason: 'commented' });
    const history = await deploymentHistory(db, d.id);
    assert.deepEqual(
      history.map((e) => [e.status, e.actor]),
      [['queued', 'octocat'], ['planning', 'slipway'], ['planned', 'slipway'], ['planned', 'reviewer']],
    );
  });

  test('a deployment recorded already planned has the whole history and no Terraform JSON read back', async () => {
    const { db } = engine.store();
    const { app, production } = await anApp(db);
    const planned = await createPlannedDeployment(db, {
      appId: app.id,
      environmentId: production.id,
      commitSha: 'def456',
      actor: 'slipway',
      reason: 'push def456',
      terraformJson: { resource: { aws_s3_bucket: {} } },
      planSummary: { counts: { create: 1 }, changed: [] },
      monthlyCostUsd: 3.5,
      final: { status: 'planned', actor: 'slipway', reason: 'no runner' },
    });
    assert.equal(planned.status, 'planned');
    assert.equal('terraformJson' in planned, false);
    assert.ok(planned.startedAt instanceof Date);
    assert.equal(planned.finishedAt, null); // planned is not finished: it may still be applied
    assert.deepEqual(
      (await deploymentHistory(db, planned.id)).map((e) => [e.status, e.actor, e.reason]),
      [['queued', 'slipway', 'push def456'], ['planning', 'slipway', null], ['planned', 'slipway', 'no runner']],
    );
    const [stored] = await db.select().from(deployments).where(eq(deployments.id, planned.id));
    assert.deepEqual(stored!.terraformJson, { resource: { aws_s3_bucket: {} } });
    const blocked = await createPlannedDeployment(db, { appId: app.id, environmentId: production.id, commitSha: 'def457', final: { status: 'failed', actor: 'policy', reason: 'blocked' } });
    assert.ok(blocked.finishedAt instanceof Date);
    // The planned one can still move on; the failed one cannot.
    await setDeploymentStatus(db, { deploymentId: planned.id, status: 'superseded', actor: 'slipway' });
    await assert.rejects(setDeploymentStatus(db, { deploymentId: blocked.id, status: 'planning', actor: 'slipway' }), (e: unknown) => e instanceof StoreError && e.code === 'invalid_transition');
  });

  test('a status change the lifecycle forbids is refused and changes nothing', async () => {
    const { db } = engine.store();
    const { app, production } = await anApp(db);
    const d = await createDeployment(db, { appId: app.id, environmentId: production.id, commitSha: 'abc' });
    await setDeploymentStatus(db, { deploymentId: d.id, status: 'cancelled', actor: 'octocat' });
    await assert.rejects(
      setDeploymentStatus(db, { deploymentId: d.id, status: 'planning', actor: 'slipway' }),
      (e: unknown) => e instanceof StoreError && e.code === 'invalid_transition',
    );
    await assert.rejects(
      setDeploymentStatus(db, { deploymentId: 987654321, status: 'planning', actor: 'slipway' }),
      (e: unknown) => e instanceof StoreError && e.code === 'not_found',
    );
    assert.equal((await deploymentHistory(db, d.id)).length, 2);
  });

  test('the last applied deployment is the latest in the given statuses, per environment', async () => {
    const { db } = engine.store();
    const { app, production } = await anApp(db);
    const staging = await getOrCreateEnvironment(db, { appId: app.id, name: 'staging' });
    const make = async (environmentId: number, sha: string, path: Array<'planning' | 'planned' | 'applying' | 'succeeded' | 'failed'>) => {
      const d = await createDeployment(db, { appId: app.id, environmentId, commitSha: sha });
      for (const status of path) await setDeploymentStatus(db, { deploymentId: d.id, status, actor: 't' });
      return d;
    };
    assert.equal(await lastAppliedDeployment(db, app.id, 'production'), undefined);
    const applied = await make(production.id, 'a1', ['planning', 'planned', 'applying', 'succeeded']);
    const planned = await make(production.id, 'p2', ['planning', 'planned']);
    await make(production.id, 'f3', ['planning', 'failed']);
    await make(staging.id, 's4', ['planning', 'planned']);
    assert.equal((await lastAppliedDeployment(db, app.id, 'production'))?.id, planned.id);
    assert.equal((await lastAppliedDeployment(db, app.id, 'production', ['succeeded']))?.commitSha, 'a1');
    assert.equal((await lastAppliedDeployment(db, app.id, 'production', ['succeeded']))?.id, applied.id);
    assert.equal((await lastAppliedDeployment(db, app.id, 'staging'))?.commitSha, 's4');
  });

  test('metric samples are stored per repository in batches, replaced on re-import, and read back by range, oldest first', async () => {
    const { db } = engine.store();
    const app = unique('app');
    const scope = await createTenant(db);
    const other = await createTenant(db);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const series = (metric: string, times: number[], values: number[], where = scope) => ({ ...where, app, service: 'web', metric, times, values });
    // 50,001 rows: more than one statement's worth.
    const times = Array.from({ length: 50_001 }, (_, i) => t0 + i * 60_000);
    assert.equal(await insertMetricSeries(db, series('cpu', times, times.map((_, i) => i))), 50_001);
    // A re-import replaces values instead of duplicating rows; milliseconds survive the trip.
    await insertMetricSeries(db, series('cpu', [t0, t0 + 123], [99, 7]));
    await insertMetricSeries(db, series('memory', [t0 + 60_000], [5]));
    // Another tenant's app of the same name is kept apart.
    await insertMetricSeries(db, series('cpu', [t0 + 60_000], [1234], other));
    const read = await readMetricSamples(db, scope, app, 'web', 'cpu', new Date(t0), new Date(t0 + 3 * 60_000));
    assert.deepEqual(
      read.map((s) => [s.at.getTime() - t0, s.value]),
      [[0, 99], [123, 7], [60_000, 1], [120_000, 2]],
    );
    assert.deepEqual((await readMetricSamples(db, other, app, 'web', 'cpu', new Date(t0), new Date(t0 + 3 * 60_000))).map((s) => s.value), [1234]);
    assert.equal(await hasMetricSamples(db, scope, app), true);
    assert.equal(await hasMetricSamples(db, { ...scope, repositoryId: other.repositoryId }, app), false);
  });

  test('metric chunks are stored out of line without compression (pglz was most of a large write), and read back whole', async () => {
    const { db } = engine.store();
    const storage = (await db.execute(sql`select attname, attstorage from pg_attribute where attrelid = 'metric_chunks'::regclass and attname in ('times', 'vals') order by attname`)) as unknown as { rows: Array<{ attname: string; attstorage: string }> } | Array<{ attname: string; attstorage: string }>;
    const rows = Array.isArray(storage) ? storage : storage.rows;
    assert.deepEqual(rows.map((r) => [r.attname, r.attstorage]), [['times', 'e'], ['vals', 'e']]);
    const app = unique('app');
    const scope = await createTenant(db);
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    const times = Array.from({ length: 1440 }, (_, i) => t0 + i * 60_000);
    await insertMetricSeries(db, { ...scope, app, service: 'web', metric: 'cpu', times, values: times.map((_, i) => i / 7) });
    const read = await readMetricSamples(db, scope, app, 'web', 'cpu', new Date(t0), new Date(t0 + 86_400_000));
    assert.equal(read.length, 1440);
    assert.equal(read[1439]!.value, 1439 / 7);
  });

  test('audit entries are written and read back newest first', async () => {
    const { db } = engine.store();
    const subject = unique('deployment');
    await writeAudit(db, { actor: 'octocat', action: 'deployment.approve', subject, details: { reason: 'ok' } });
    await writeAudit(db, { actor: 'octocat', action: 'deployment.rollback', subject });
    const recent = (await recentAudit(db, 10)).filter((e) => e.subject === subject);
    assert.deepEqual(recent.map((e) => e.action), ['deployment.rollback', 'deployment.approve']);
    assert.deepEqual(recent[1]?.details, { reason: 'ok' });
  });
});
