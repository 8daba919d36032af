/**
 * `slipway_environment_drift_status`: at each scrape, the latest drift check of every environment
 * (drift_checks keeps one row per environment, updated in place), 1 for the status it has; a
 * check that changes moves the series, a removed environment drops out. On every store engine.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createServiceMetrics } from '../../src/ops/service-metrics.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { saveDriftCheck } from '../../src/store/drift-checks.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { localRepository } from '../../src/store/local-repository.ts';
import { environments } from '../../src/store/schema.ts';
import { forEachEngine, unique } from '../store/engines.ts';

forEachEngine('the drifted-environments metric', (engine) => {
  it('reports each environment’s latest drift check and follows it as it changes', async () => {
    const db = engine.store().db;
    const name = unique('drift');
    const repository = await localRepository(db, `acme/${name}`);
    const web = await getOrCreateApp(db, { repositoryId: repository.id, name: 'web' });
    const production = await getOrCreateEnvironment(db, { appId: web.id, name: 'production' });
    const staging = await getOrCreateEnvironment(db, { appId: web.id, name: 'staging' });
    const unchecked = await getOrCreateEnvironment(db, { appId: web.id, name: 'preview' });
    const metrics = createServiceMetrics({ db });
    const series = async () => {
      const text = (await metrics.render()).body;
      assert.match(text, /^slipway_store_up 1$/m);
      return text.split('\n').filter((l) => l.startsWith('slipway_environment_drift_status{') && l.includes(`repository="acme/${name}"`)).sort();
    };
    const line = (environment: string, status: string) => `slipway_environment_drift_status{repository="acme/${name}",app="web",environment="${environment}",status="${status}"} 1`;

    const checkedAt = new Date('2026-12-01T10:00:00Z');
    await saveDriftCheck(db, { environmentId: production.id, appId: web.id, status: 'drifted', checkedAt, driftedSince: checkedAt, report: { changed: 1 } });
    await saveDriftCheck(db, { environmentId: staging.id, appId: web.id, status: 'clean', checkedAt });
    assert.deepEqual(await series(), [line('production', 'drifted'), line('staging', 'clean')]);
    assert.ok(!(await series()).some((l) => l.includes(`environment="${unchecked.name}"`)), 'an environment never checked has no series');

    // The next check heals production and cannot read staging: the old statuses are gone.
    await saveDriftCheck(db, { environmentId: production.id, appId: web.id, status: 'clean', checkedAt: new Date('2026-12-01T10:30:00Z'), driftedSince: null });
    await saveDriftCheck(db, { environmentId: staging.id, appId: web.id, status: 'error', checkedAt: new Date('2026-12-01T10:30:00Z') });
    assert.deepEqual(await series(), [line('production', 'clean'), line('staging', 'error')]);

    await db.update(environments).set({ removedAt: new Date() }).where(eq(environments.id, staging.id));
    assert.deepEqual(await series(), [line('production', 'clean')]);
  });
});
