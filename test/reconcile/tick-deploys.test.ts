// A push GitHub never delivered is not only planned but applied within one tick: the tick enqueues
// the same job a delivered push would, and with a Terraform runner that job deploys (real
// Terraform applying the terraform_data test kinds; PGlite with local state, or Postgres with pg
// state when DATABASE_URL is set).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { requestTick, waitForJob } from '../../src/reconcile/tick-job.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { deployments } from '../../src/store/schema.ts';
import { repositoryPayload } from '../harness/payloads.ts';
import { testStateBackend } from '../runner/runner-fixtures.ts';
import { eventually, helloApp, startHarness, type Harness } from '../e2e/service-harness.ts';

let h: Harness;
let dropState: () => Promise<void> = async () => {};
before(async () => {
  const { state, drop } = await testStateBackend();
  dropState = drop;
  h = await startHarness({}, { terraform: { state } });
});
after(async () => {
  await h?.close();
  await dropState();
});

describe('the reconcile tick with a Terraform runner', () => {
  it('applies a push GitHub never delivered within one tick', async () => {
    const db = h.service.deps.store.db;
    const fullName = 'acme/never-delivered-deploys';
    const repo = await h.repo(fullName);
    const id = repositoryPayload({ fullName }).id;
    // Tracked, as an installation event would have recorded it; no push delivery ever arrives.
    await upsertInstallation(db, { id: repo.installationId, accountLogin: 'acme' });
    await upsertRepositories(db, repo.installationId, [{ id, fullName, defaultBranch: 'main' }]);
    const sha = await repo.commit({ 'paas.yaml': helloApp({ name: 'missed-deploys' }) });

    const job = await waitForJob(db, await requestTick(db), { pollMs: 20 });
    assert.equal(job.status, 'completed', job.lastError ?? '');

    const row = await eventually(
      'the missed push’s deployment to end',
      async () => {
        const [found] = await db.select().from(deployments).where(eq(deployments.commitSha, sha));
        return found && ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'].includes(found.status) ? found : undefined;
      },
      120_000,
    );
    assert.equal(row.trigger, 'push');
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    // Reported on GitHub as any push's deployment: a Deployment with a success status.
    const ghDeployment = h.github.deployments.find((d) => d.repo === fullName && d.sha === sha);
    assert.ok(ghDeployment, 'a GitHub Deployment for the missed push');
    await eventually('the success status', () => h.github.statuses.some((s) => s.deployment_id === ghDeployment.id && s.state === 'success') || undefined, 60_000);
  });
});
