/**
 * `POST /api/v1/deployments/{id}/apply` to the end: the API queues the job, the worker's handler
 * runs the real Terraform runner on the planned deployment, and the audit log has both the request
 * and how it ended. On every store engine; on Postgres the audit log's trigger is checked too.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { claim } from '../../src/jobs/claim.ts';
import { applyDeploymentHandler } from '../../src/reconcile/apply-deployment.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import type { Runner } from '../../src/runner/create-runner.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { deploymentHistory } from '../../src/store/deployments.ts';
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

forEachEngine('applying through the API', (engine) => {
  async function planned(name: string) {
    const db = engine.store().db;
    const doc = testAppDocument(webApp(name), 'a'.repeat(40));
    const recorded = await recordTestDeployment(db, { app: name, sha: 'a'.repeat(40), terraformJson: doc });
    const plannedRun = await runDeployment({ db, runner: runner!, log: () => {} }, { deploymentId: recorded.deployment.id, terraformJson: doc, workspace: recorded.workspace, planOnly: true });
    assert.equal(plannedRun.status, 'planned');
    return recorded;
  }

  it('applies a planned deployment with the real runner when a deploy token asks, and audits the request and its end', async () => {
    const db = engine.store().db;
    const name = unique('shop').replace(/[^a-z0-9-]/g, '-');
    const { deployment, workspace } = await planned(name);
    const { token } = await createToken(db, { name: 'ci', role: 'deploy', repositories: [`acme/${name}`], createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {}, clientAddress: () => '198.51.100.7' });
    const res = await app.request(`/api/v1/deployments/${deployment.id}/apply`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'release' }) });
    assert.equal(res.status, 202, await res.clone().text());
    const { job: jobId } = (await res.json()) as { job: number };

    const job = await claim(db, { workerId: 'test', kinds: ['deployment.apply'], leaseMs: 60_000 });
    assert.equal(job?.id, jobId);
    const phases: string[] = [];
    // This run's own view of the shared runner: other engines' runs go on at the same time.
    const observed: Runner = { ...runner!, observePhase: (phase, ok) => phases.push(`${phase}:${ok}`) };
    await applyDeploymentHandler({ db, runner: observed, log: () => {} })(job!, noLease);
    // What slipway serve reports as slipway_runner_phase_seconds.
    // No init: the plan above initialised this work folder for the same backend and providers,
    // so the apply's run reuses it (the runner's init key; docs/runner.md).
    assert.deepEqual([...new Set(phases)], ['plan:true', 'show:true', 'apply:true']);

    const after = await findDeployment(db, deployment.id);
    assert.equal(after?.status, 'succeeded', JSON.stringify(after?.failure));
    assert.equal((await stateInput(runner!, workspace, 'web'))?.image, `registry.example/${name}:${'a'.repeat(40)}`);
    const history = await deploymentHistory(db, deployment.id);
    assert.match(history.at(-1)!.actor, /^token:\d+:ci$/);
    const entries = await db.select().from(auditLog).where(eq(auditLog.subject, `deployment:${deployment.id}`)).orderBy(auditLog.id);
    assert.deepEqual(entries.map((e) => [e.action, e.result, e.source]), [
      ['deployment.apply', 'ok', '198.51.100.7'],
      ['deployment.apply.finished', 'ok', 'worker'],
    ]);
    assert.equal(entries[1]!.actor, entries[0]!.actor);
  });

  it('plans a queued deployment against the current state when asked, stores Terraform’s plan, and applies nothing', async () => {
    const db = engine.store().db;
    const name = unique('plan').replace(/[^a-z0-9-]/g, '-');
    const doc = testAppDocument(webApp(name), 'b'.repeat(40));
    const { deployment, workspace } = await recordTestDeployment(db, { app: name, sha: 'b'.repeat(40), terraformJson: doc });
    const { token } = await createToken(db, { name: 'planner', role: 'deploy', repositories: null, createdBy: 'cli:test' });
    const reader = await createToken(db, { name: 'reader', role: 'read', repositories: null, createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {} });
    const ask = (t: string) => app.request(`/api/v1/deployments/${deployment.id}/plan`, { method: 'POST', headers: { authorization: `Bearer ${t}` } });
    assert.equal((await ask(reader.token)).status, 403);
    assert.equal((await ask(token)).status, 202);
    const job = await claim(db, { workerId: 'test', kinds: ['deployment.apply'], leaseMs: 60_000 });
    await applyDeploymentHandler({ db, runner: runner!, log: () => {} })(job!, noLease);
    const after = await findDeployment(db, deployment.id);
    assert.equal(after?.status, 'planned');
    assert.ok(after?.terraformPlan, 'Terraform’s plan is stored');
    assert.equal(await stateInput(runner!, workspace, 'web'), undefined, 'nothing applied');
    const res = await app.request(`/api/v1/deployments/${deployment.id}`, { headers: { authorization: `Bearer ${reader.token}` } });
    const view = (await res.json()) as { status: string; terraformPlan: unknown; history: Array<{ status: string; actor: string }> };
    assert.equal(view.status, 'planned');
    assert.ok(view.terraformPlan);
    assert.deepEqual(view.history.slice(-2).map((e) => [e.status, e.actor.replace(/\d+/, 'N')]), [['planning', 'token:N:planner'], ['planned', 'token:N:planner']]);
    const [finished] = await db.select().from(auditLog).where(eq(auditLog.subject, `deployment:${deployment.id}`)).orderBy(auditLog.id).then((rows) => rows.slice(-1));
    assert.deepEqual([finished?.action, finished?.result], ['deployment.plan.finished', 'ok']);
  });

  it('fails the deployment with the reason, and audits it, when the worker has no runner', async () => {
    const db = engine.store().db;
    const name = unique('norunner').replace(/[^a-z0-9-]/g, '-');
    const { deployment } = await planned(name);
    const { token } = await createToken(db, { name: 'ci', role: 'deploy', repositories: null, createdBy: 'cli:test' });
    const app = createHttpApp({ db, webhookSecret: 's', log: () => {} });
    assert.equal((await app.request(`/api/v1/deployments/${deployment.id}/apply`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 202);
    const job = await claim(db, { workerId: 'test', kinds: ['deployment.apply'], leaseMs: 60_000 });
    await applyDeploymentHandler({ db, log: () => {} })(job!, noLease);
    const after = await findDeployment(db, deployment.id);
    assert.equal(after?.status, 'failed');
    assert.match(after?.failure?.message ?? '', /no Terraform runner on this worker/);
    const [finished] = await db.select().from(auditLog).where(eq(auditLog.action, 'deployment.apply.finished')).orderBy(auditLog.id).then((rows) => rows.slice(-1));
    assert.equal(finished?.result, 'failed');
  });

  it('keeps the audit log append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const db = engine.store().db;
    const count = async () => Number(((await db.execute(sql`select count(*)::int as n from audit_log`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n);
    const before = await count();
    assert.ok(before > 0);
    await assert.rejects(db.execute(sql`update audit_log set actor = 'someone else'`), (error: Error) => /append-only/.test(String((error as { cause?: Error }).cause?.message ?? error.message)));
    await assert.rejects(db.execute(sql`delete from audit_log`), (error: Error) => /append-only/.test(String((error as { cause?: Error }).cause?.message ?? error.message)));
    await assert.rejects(db.execute(sql`truncate audit_log`));
    assert.equal(await count(), before);
  });
});
