/**
 * `POST /api/v1/deployments/{id}/rollback` to the end: the API judges
 * the target by the rollback's own rules (refusals are 409 with the reason), queues the job with the
 * deploy job's concurrency key, and the worker's handler rolls back through the one rollBack with
 * the real Terraform runner; a deploy that went live in between is not undone. Every call is audited. On every store engine.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { claim } from '../../src/jobs/claim.ts';
import { findJob } from '../../src/jobs/find-job.ts';
import { rollbackDeploymentHandler } from '../../src/reconcile/rollback-deployment.ts';
import { heldCommitGuard, commitHeldReason } from '../../src/rollback/held-commit-guard.ts';
import type { Runner } from '../../src/runner/create-runner.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import type { Db } from '../../src/store/db.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { auditLog } from '../../src/store/schema.ts';
import { createToken } from '../../src/tokens/create-token.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import { disposeRunner, recordTestDeployment, stateInput, testAppDocument, testRunner, testStateBackend, webApp } from '../runner/runner-fixtures.ts';

let runner: (Runner & { dataDir: string }) | undefined;
let dropState: () => Promise<void> = async () => {};
before(async () => {
  const backend = await testStateBackend();
  dropState = backend.drop;
  runner = await testRunner({ state: backend.state });
});
after(async () => {
  await disposeRunner(runner);
  await dropState();
});

const noLease = { signal: new AbortController().signal, extendLease: async () => true };

/** Record and apply a commit of `app` as the push job would; its id. */
async function deploy(db: Db, app: string, sha: string): Promise<number> {
  const doc = testAppDocument(webApp(app), sha);
  const { deployment, workspace, environmentId } = await recordTestDeployment(db, { app, sha, terraformJson: doc });
  const result = await runDeployment({ db, runner: runner!, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace, guard: heldCommitGuard(db, { environmentId, commitSha: sha }) });
  assert.equal(result.status, 'succeeded', JSON.stringify(result));
  return deployment.id;
}

forEachEngine('rollback and reconcile through the API', (engine) => {
  const post = async (app: ReturnType<typeof createHttpApp>, path: string, token: string, body?: unknown) =>
    app.request(`/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  it('rolls back to a deployment with the real runner when a deploy token of the repository asks, holds the commit rolled back from, and audits both ends', async () => {
    const db = engine.store().db;
    const name = unique('rb').replace(/[^a-z0-9-]/g, '-');
    const good = await deploy(db, name, 'aaaa1111');
    const bad = await deploy(db, name, 'bbbb2222');
    const workspace = { app: name, environment: 'production' };
    const { token } = await createToken(db, { name: 'ci', role: 'deploy', repositories: [`acme/${name}`], createdBy: 'cli:test' });
    const other = await createToken(db, { name: 'other', role: 'deploy', repositories: ['acme/elsewhere'], createdBy: 'cli:test' });
    const reader = await createToken(db, { name: 'reader', role: 'read', repositories: null, createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {}, clientAddress: () => '198.51.100.9' });

    assert.equal((await post(app, `/deployments/${good}/rollback`, reader.token)).status, 403);
    assert.equal((await post(app, `/deployments/${good}/rollback`, other.token)).status, 404, 'another repository’s deployment does not exist for the token');
    const res = await post(app, `/deployments/${good}/rollback`, token, { reason: 'bad release' });
    assert.equal(res.status, 202, await res.clone().text());
    const accepted = (await res.json()) as { deployment: number; status: string; job: number; from: number };
    assert.deepEqual({ ...accepted, job: 0 }, { deployment: good, status: 'queued', job: 0, from: bad });
    const queued = await findJob(db, accepted.job);
    assert.equal(queued?.concurrencyKey, `deploy:${(await findDeployment(db, good))!.appId}:production`);

    const job = await claim(db, { workerId: 'test', kinds: ['deployment.rollback'], leaseMs: 60_000 });
    assert.equal(job?.id, accepted.job);
    await rollbackDeploymentHandler({ db, runner: runner!, log: () => {} })(job!, noLease);

    assert.equal((await stateInput(runner!, workspace, 'web_service'))?.image, `registry.example/${name}:aaaa1111`);
    const entries = await db.select().from(auditLog).where(eq(auditLog.subject, `deployment:${good}`)).orderBy(auditLog.id);
    assert.deepEqual(entries.map((e) => [e.action, e.result, e.source]), [
      ['deployment.rollback', 'denied', '198.51.100.9'],
      ['deployment.rollback', 'invalid', '198.51.100.9'],
      ['deployment.rollback', 'ok', '198.51.100.9'],
      ['deployment.rollback.finished', 'ok', 'worker'],
    ]);
    assert.equal(entries[3]!.actor, entries[2]!.actor);
    const finished = entries[3]!.details as { status: string; rollback: number; held: string };
    assert.deepEqual([finished.status, finished.held], ['succeeded', 'bbbb2222']);
    const rollback = await findDeployment(db, finished.rollback);
    assert.deepEqual([rollback?.trigger, rollback?.status, rollback?.commitSha], ['rollback', 'succeeded', 'aaaa1111']);
    assert.match((await commitHeldReason(db, { environmentId: rollback!.environmentId, commitSha: 'bbbb2222' })) ?? '', /^commit bbbb222 is held \(rolled back to aaaa111 by deployment \d+: API: bad release; by token:\d+:ci/);

    // Now the rollback is live: rolling back to it again is refused with the reason, and audited.
    const again = await post(app, `/deployments/${rollback!.id}/rollback`, token);
    assert.equal(again.status, 409);
    const refusedBody = (await again.json()) as { code: string; reason: string; error: string };
    assert.equal(refusedBody.code, 'rollback_refused');
    assert.equal(refusedBody.reason, 'already_live');
    assert.match(refusedBody.error, /is what .* runs now: nothing to roll back/);
    const [last] = await db.select().from(auditLog).where(eq(auditLog.subject, `deployment:${rollback!.id}`)).orderBy(auditLog.id);
    assert.deepEqual([last?.action, last?.result, (last?.details as { refused?: string }).refused], ['deployment.rollback', 'invalid', 'already_live']);
  });

  it('refuses a deployment that never succeeded (409 not_succeeded), and a queued rollback does not undo a deploy that went live since', async () => {
    const db = engine.store().db;
    const name = unique('rb2').replace(/[^a-z0-9-]/g, '-');
    const first = await deploy(db, name, 'cccc1111');
    await deploy(db, name, 'dddd2222');
    const { deployment: queuedOnly } = await recordTestDeployment(db, { app: name, sha: 'eeee3333', terraformJson: testAppDocument(webApp(name), 'eeee3333') });
    const { token } = await createToken(db, { name: 'ci', role: 'deploy', repositories: null, createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {} });

    const refused = await post(app, `/deployments/${queuedOnly.id}/rollback`, token);
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { reason: string }).reason, 'not_succeeded');

    const res = await post(app, `/deployments/${first}/rollback`, token);
    assert.equal(res.status, 202);
    // A push deploys before the worker takes the rollback.
    await deploy(db, name, 'ffff4444');
    const job = await claim(db, { workerId: 'test', kinds: ['deployment.rollback'], leaseMs: 60_000 });
    await rollbackDeploymentHandler({ db, runner: runner!, log: () => {} })(job!, noLease);
    assert.equal((await stateInput(runner!, { app: name, environment: 'production' }, 'web_service'))?.image, `registry.example/${name}:ffff4444`);
    const [finished] = await db.select().from(auditLog).where(eq(auditLog.action, 'deployment.rollback.finished')).orderBy(auditLog.id).then((rows) => rows.slice(-1));
    assert.equal(finished?.result, 'failed');
    assert.equal((finished?.details as { refused: string }).refused, 'not_live');
  });
});
