// The dashboard's (and the API's) read models, on every engine: the overview's newest and applied
// deployment per environment, paging and the visible-repository filter; a deployment's log from a
// chunk on; an installation's repositories; an app's recommendations.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appEnvironmentOverview, repositoryIdsByName } from '../../src/store/app-environment-overview.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { appendDeploymentLog } from '../../src/store/deployment-logs.ts';
import { deploymentLogAfter, deploymentView } from '../../src/store/deployment-view.ts';
import { createDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { saveDriftCheck } from '../../src/store/drift-checks.ts';
import { appDrift, environmentDrift } from '../../src/store/environment-drift.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { installationOverview } from '../../src/store/installation-overview.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { createTenant, forEachEngine, githubId, unique } from './engines.ts';

forEachEngine('dashboard views', (engine) => {
  it('gives each environment its newest deployment and the newest that succeeded, a page at a time, for the repositories asked', async () => {
    const db = engine.store().db;
    const { installationId, repositoryId } = await createTenant(db);
    const other = githubId();
    const otherName = `${unique('zz')}/other`;
    await upsertRepositories(db, installationId, [{ id: other, fullName: otherName }]);
    const app = await getOrCreateApp(db, { repositoryId, name: 'shop' });
    const production = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
    const staging = await getOrCreateEnvironment(db, { appId: app.id, name: 'staging' });
    const first = await createDeployment(db, { appId: app.id, environmentId: production.id, commitSha: '1'.repeat(40), monthlyCostUsd: 10 });
    for (const status of ['planning', 'planned', 'applying', 'succeeded'] as const) await setDeploymentStatus(db, { deploymentId: first.id, status, actor: 't' });
    const second = await createDeployment(db, { appId: app.id, environmentId: production.id, commitSha: '2'.repeat(40), monthlyCostUsd: 12 });
    await setDeploymentStatus(db, { deploymentId: second.id, status: 'failed', actor: 't' });
    const otherApp = await getOrCreateApp(db, { repositoryId: other, name: 'api' });
    await getOrCreateEnvironment(db, { appId: otherApp.id, name: 'production' });

    const mine = await appEnvironmentOverview(db, { repositoryIds: [repositoryId] });
    assert.equal(mine.total, 2);
    assert.deepEqual(mine.rows.map((r) => r.environment), ['production', 'staging']);
    const [prod, stage] = mine.rows;
    assert.equal(prod!.latest?.id, second.id);
    assert.equal(prod!.latest?.status, 'failed');
    assert.equal(prod!.applied?.id, first.id);
    assert.equal(prod!.applied?.commitSha, '1'.repeat(40));
    assert.equal(prod!.applied?.monthlyCostUsd, 10);
    assert.ok(prod!.applied?.createdAt instanceof Date);
    assert.equal(stage!.environmentId, staging.id);
    assert.equal(stage!.latest, undefined);
    assert.equal(stage!.applied, undefined);

    const both = await appEnvironmentOverview(db, { repositoryIds: [repositoryId, other], limit: 2, offset: 2 });
    assert.equal(both.total, 3);
    assert.deepEqual(both.rows.map((r) => r.repository), [otherName], 'the third row, in order of repository');
    assert.deepEqual(await appEnvironmentOverview(db, { repositoryIds: [] }), { rows: [], total: 0 });

    const ids = await repositoryIdsByName(db, [otherName.toUpperCase(), 'nobody/nothing']);
    assert.deepEqual([...ids.values()], [other]);
    const installations = await installationOverview(db, { repositoryIds: [other] });
    assert.deepEqual(installations.map((i) => [i.id, i.repositories.map((r) => r.fullName)]), [[installationId, [otherName]]]);
  });

  it('reads a deployment with its history, and its log from a chunk on', async () => {
    const db = engine.store().db;
    const { repositoryId } = await createTenant(db);
    const app = await getOrCreateApp(db, { repositoryId, name: 'shop' });
    const env = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
    const d = await createDeployment(db, { appId: app.id, environmentId: env.id, commitSha: 'f'.repeat(40) });
    await appendDeploymentLog(db, [{ deploymentId: d.id, step: 'plan', text: 'one\n' }, { deploymentId: d.id, step: 'plan', text: 'two\n' }]);
    const view = await deploymentView(db, d.id);
    assert.equal(view?.repositoryId, repositoryId);
    assert.deepEqual(view?.history.map((e) => e.status), ['queued']);
    assert.deepEqual(view?.log.map((c) => c.text), ['one\n', 'two\n']);
    const after = await deploymentLogAfter(db, d.id, view!.log[0]!.id);
    assert.deepEqual(after.map((c) => c.text), ['two\n']);
    assert.equal(await deploymentView(db, 987654321), undefined);
  });
});

forEachEngine('environment drift', (engine) => {
  it("reads each environment's last drift check: in sync, drifted with counts and issue, failed, checks off, never checked", async () => {
    const db = engine.store().db;
    const { repositoryId } = await createTenant(db);
    const app = await getOrCreateApp(db, { repositoryId, name: 'shop' });
    const [production, staging, qa, dev, preview] = await Promise.all(['production', 'staging', 'qa', 'dev', 'pr-1'].map((name) => getOrCreateEnvironment(db, { appId: app.id, name })));
    const checkedAt = new Date('2026-01-02T03:04:05Z');
    const report = (resources: number, attributes: number) => ({ resources: [], counts: { resources, attributes }, hash: 'h', head: 'a'.repeat(40) });
    await saveDriftCheck(db, { environmentId: production!.id, appId: app.id, deploymentId: null, status: 'drifted', report: report(2, 3), checkedAt, everyMinutes: 60, heal: false, driftedSince: checkedAt, issueNumber: 17 });
    await saveDriftCheck(db, { environmentId: staging!.id, appId: app.id, deploymentId: null, status: 'clean', report: report(0, 0), checkedAt, everyMinutes: 1440, heal: false });
    await saveDriftCheck(db, { environmentId: qa!.id, appId: app.id, deploymentId: null, status: 'error', report: { error: 'plan: boom', hash: 'h', head: 'a'.repeat(40) }, checkedAt, everyMinutes: 1440, heal: false });
    await saveDriftCheck(db, { environmentId: dev!.id, appId: app.id, deploymentId: null, status: 'clean', report: null, checkedAt, everyMinutes: null, heal: false });

    const drift = await environmentDrift(db, [production!.id, staging!.id, qa!.id, dev!.id, preview!.id]);
    assert.deepEqual(drift.get(production!.id), { environmentId: production!.id, status: 'drifted', checkedAt, driftedSince: checkedAt, resources: 2, attributes: 3, error: null, issueNumber: 17, everyMinutes: 60, measured: true });
    assert.deepEqual(drift.get(staging!.id), { environmentId: staging!.id, status: 'clean', checkedAt, driftedSince: null, resources: 0, attributes: 0, error: null, issueNumber: null, everyMinutes: 1440, measured: true });
    assert.equal(drift.get(qa!.id)?.status, 'error');
    assert.equal(drift.get(qa!.id)?.error, 'plan: boom');
    assert.equal(drift.get(dev!.id)?.measured, false);
    assert.equal(drift.get(dev!.id)?.everyMinutes, null);
    assert.equal(drift.has(preview!.id), false, 'never checked');
    assert.equal((await environmentDrift(db, [staging!.id])).size, 1, 'only the environments asked');
    assert.equal((await environmentDrift(db, [])).size, 0);

    // The app page's view: the drifted environments only, with what differs.
    const resources = [{ address: 'terraform_data.web', type: 'terraform_data', action: 'update', seenBy: ['refresh'], attributes: [{ path: 'input.cpu', outside: 2, desired: 1, sensitive: false }] }];
    await saveDriftCheck(db, { environmentId: production!.id, appId: app.id, deploymentId: null, status: 'drifted', report: { resources, counts: { resources: 1, attributes: 1 }, hash: 'h2', head: 'a'.repeat(40) }, checkedAt, everyMinutes: 60, heal: false, driftedSince: checkedAt, issueNumber: 17 });
    assert.deepEqual(await appDrift(db, app.id), [{ environment: 'production', checkedAt, issueNumber: 17, resources: [{ address: 'terraform_data.web', action: 'update', attributes: [{ path: 'input.cpu', outside: 2, desired: 1 }] }] }]);
    const other = await getOrCreateApp(db, { repositoryId, name: 'other' });
    assert.deepEqual(await appDrift(db, other.id), []);
  });
});
