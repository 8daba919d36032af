/**
 * The API's reads that Postgres answers as one JSON document (store/json-rows.ts, the deployment
 * with its history, the /metrics figures): the same values, types and order as rows read column by
 * column, on every engine.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { desc, eq } from 'drizzle-orm';
import { findScopedDeploymentDetail, listDeploymentPage } from '../../src/store/api-listings.ts';
import { deploymentHistory } from '../../src/store/deployments.ts';
import { readOpsFigures } from '../../src/store/ops-figures.ts';
import { deployments } from '../../src/store/schema.ts';
import { seedApp } from '../harness/seed-store.ts';
import { forEachEngine, unique } from './engines.ts';

forEachEngine('the API’s reads as one JSON document', (engine) => {
  it('pages deployments newest first with the values a row-by-row read gives, and details one with its history', async () => {
    const db = engine.store().db;
    const repository = `acme/${unique('json')}`;
    const seeded = await seedApp(db, { repository, app: 'web', statuses: ['succeeded', 'failed', 'planned'] });
    // A failure, and a JSONB string where a document usually is: both come back as stored.
    await db.update(deployments).set({ failure: { step: 'apply', message: 'boom', address: 'terraform_data.web' }, terraformPlan: 'a plan as text' }).where(eq(deployments.id, seeded.deploymentIds[1]!));
    const scope = { include: [`^${repository}$`], exclude: [] };

    const page = await listDeploymentPage(db, { scope, limit: 2 });
    assert.deepEqual(page.map((d) => d.id), [seeded.deploymentIds[2], seeded.deploymentIds[1]]);
    const rows = await db.select().from(deployments).where(eq(deployments.appId, seeded.appId)).orderBy(desc(deployments.id));
    for (const [i, item] of page.entries()) {
      const row = rows[i]!;
      assert.deepEqual(item, {
        id: row.id, repository, app: 'web', environment: 'production', status: row.status, commitSha: row.commitSha, trigger: row.trigger,
        monthlyCostUsd: row.monthlyCostUsd, planSummary: row.planSummary, outputs: row.outputs, failure: row.failure,
        createdAt: row.createdAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
      });
      assert.ok(item.createdAt instanceof Date);
    }
    const rest = await listDeploymentPage(db, { scope, limit: 2, before: page[1]!.id });
    assert.deepEqual(rest.map((d) => d.id), [seeded.deploymentIds[0]]);
    assert.deepEqual(await listDeploymentPage(db, { scope: { include: ['^nobody/'], exclude: [] }, limit: 10 }), []);

    const failed = await findScopedDeploymentDetail(db, seeded.deploymentIds[1]!, scope);
    assert.equal(failed?.terraformPlan, 'a plan as text');
    assert.deepEqual(failed?.failure, { step: 'apply', message: 'boom', address: 'terraform_data.web' });
    const history = await deploymentHistory(db, seeded.deploymentIds[0]!);
    const succeeded = await findScopedDeploymentDetail(db, seeded.deploymentIds[0]!, scope);
    assert.deepEqual(succeeded?.history, history.map((e) => ({ status: e.status, actor: e.actor, reason: e.reason, at: e.at })));
    assert.equal(await findScopedDeploymentDetail(db, seeded.deploymentIds[0]!, { include: ['^nobody/'], exclude: [] }), undefined);
  });

  it('reads the /metrics figures in one statement', async () => {
    const db = engine.store().db;
    const repository = `acme/${unique('figures')}`;
    await seedApp(db, { repository, app: 'api', statuses: ['succeeded', 'failed'] });
    const figures = await readOpsFigures(db, new Date());
    assert.deepEqual(figures.latest.filter((l) => l.repository === repository), [{ repository, app: 'api', environment: 'production', status: 'failed' }]);
    assert.ok(figures.counts.every((c) => typeof c.count === 'number' && c.count > 0));
    assert.ok(figures.queue.every((q) => typeof q.queued === 'number' && (q.oldestQueuedAt === null || q.oldestQueuedAt instanceof Date)));
  });
});
