/**
 * Rollback in the running service: `slipway serve`'s worker takes the `deploy.verdict` jobs
 * scheduleVerdict enqueues, checks each quarter of the watch in turn, records the verdict on the
 * deployment and reports it on the commit's check run; and `/slipway rollback [env]` on a pull
 * request rolls the repository's apps back with the service's Terraform runner, for a person with
 * write access only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { scheduleVerdict } from '../../src/rollback/schedule-verdict.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { deploymentVerdictsOf } from '../../src/store/deployment-verdicts.ts';
import { createDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { insertMetricSeries } from '../../src/store/metric-samples.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { findCommitHold } from '../../src/store/commit-holds.ts';
import { webhookDeliveries } from '../../src/store/schema.ts';
import { eq } from 'drizzle-orm';
import { idOf, issueCommentPayload } from '../harness/payloads.ts';
import { stateInput, testAppDocument, webApp } from '../runner/runner-fixtures.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
before(async () => {
  // Terraform on the PATH (the harness hides it unless asked): rollbacks run it.
  h = await startHarness({}, { env: process.env });
});
after(async () => h.close());

test('a deploy whose metrics hold steady is checked four times by the worker and passes, on the deployment and the check run', async () => {
  const db = h.service.deps.store.db;
  const repo = await h.repo('acme/verdict-shop');
  await upsertInstallation(db, { id: repo.installationId, accountLogin: 'acme' });
  await upsertRepositories(db, repo.installationId, [{ id: 77_001, fullName: 'acme/verdict-shop' }]);
  const app = await getOrCreateApp(db, { repositoryId: 77_001, name: 'shop' });
  const environment = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
  const sha = createHash('sha1').update('verdict-shop').digest('hex');
  const deployment = await createDeployment(db, { appId: app.id, environmentId: environment.id, commitSha: sha, terraformJson: {} });
  for (const status of ['planning', 'planned', 'applying', 'succeeded'] as const) await setDeploymentStatus(db, { deploymentId: deployment.id, status, actor: 'test' });

  // Deployed 20 minutes ago: every check of a 15-minute watch is due. Error rate steady around 2/s.
  const deployedAt = Date.now() - 20 * 60_000;
  const times = Array.from({ length: 150 }, (_, i) => deployedAt - 120 * 60_000 + i * 60_000);
  const values = times.map((_, i) => 2 + ((i * 7919) % 100) / 250);
  await insertMetricSeries(db, { installationId: repo.installationId, repositoryId: 77_001, app: 'shop', service: 'web', metric: 'errors', times, values });
  await scheduleVerdict(db, { deploymentId: deployment.id, deployedAt: new Date(deployedAt), config: { rollback: { auto: true, watch: '15m', metrics: ['errors'] }, services: { web: {} as never } } });

  const verdicts = await eventually('the fourth check', async () => {
    const rows = await deploymentVerdictsOf(db, deployment.id);
    return rows.length === 4 ? rows : undefined;
  });
  assert.deepEqual(verdicts.map((v) => [v.checkpoint, v.verdict, v.final]), [[1, 'pass', false], [2, 'pass', false], [3, 'pass', false], [4, 'pass', true]]);
  const run = await eventually('the check run completed', () => h.github.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed'));
  assert.equal(run.name, 'slipway verdict: shop (production)');
  assert.equal(run.conclusion, 'success');
  assert.equal(h.github.checkRuns.filter((r) => r.head_sha === sha).length, 1);
});

test('/slipway rollback on a pull request rolls the app back for a writer, and is refused to a reader', async () => {
  const db = h.service.deps.store.db;
  const runner = h.service.deps.runner;
  assert.ok(runner, 'the service found Terraform');
  const repo = await h.repo('acme/comment-shop');
  const repositoryId = idOf('acme/comment-shop');
  await upsertInstallation(db, { id: repo.installationId, accountLogin: 'acme' });
  await upsertRepositories(db, repo.installationId, [{ id: repositoryId, fullName: 'acme/comment-shop' }]);
  const app = await getOrCreateApp(db, { repositoryId, name: 'cshop' });
  const environment = await getOrCreateEnvironment(db, { appId: app.id, name: 'production' });
  const shas = ['1111aaaa', '2222bbbb'];
  for (const sha of shas) {
    const doc = testAppDocument(webApp('cshop'), sha);
    const deployment = await createDeployment(db, { appId: app.id, environmentId: environment.id, commitSha: sha, terraformJson: doc });
    const result = await runDeployment({ db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace: { app: 'cshop', environment: 'production' } });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
  }
  const outcomeOf = async (id: string) => {
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
    return row?.outcome && !row.outcome.startsWith('failed, will retry') ? row.outcome : undefined;
  };

  h.github.setPermission('acme/comment-shop', 'reader', 'read');
  const refused = crypto.randomUUID();
  await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 7, body: '/slipway rollback', sender: 'reader' }), refused);
  assert.equal(await eventually('the refusal', () => outcomeOf(refused)), 'refused: reader has read access, a rollback needs write');
  assert.equal((await stateInput(runner, { app: 'cshop', environment: 'production' }, 'web_service'))?.image, 'registry.example/cshop:2222bbbb');

  h.github.setPermission('acme/comment-shop', 'lead', 'write');
  const rolled = crypto.randomUUID();
  await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 7, body: 'The checkout is broken.\n/slipway rollback production', sender: 'lead' }), rolled);
  assert.equal(await eventually('the rollback', () => outcomeOf(rolled), 120_000), 'rollback by lead of production: 1 app(s)');
  assert.equal((await stateInput(runner, { app: 'cshop', environment: 'production' }, 'web_service'))?.image, 'registry.example/cshop:1111aaaa');
  assert.ok(await findCommitHold(db, { environmentId: environment.id, commitSha: '2222bbbb' }));
  const replies = h.github.comments.filter((c) => c.repo === 'acme/comment-shop' && c.issue_number === 7).map((c) => c.body);
  assert.equal(replies[0], '@reader a rollback needs write access to acme/comment-shop; you have read.');
  assert.match(replies[1]!, /^@lead asked to roll back production:\n\n- \*\*cshop\*\* \(production\): rollback to deployment \d+ \(commit 1111aaa\) succeeded; commit 2222bbb is held: auto deploys skip it until a newer commit lands — `slipway logs \d+`$/);
});
