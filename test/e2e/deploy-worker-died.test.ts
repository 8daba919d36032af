/**
 * A deploy job whose worker died on all five attempts (each lease ran out: no handler saw a
 * failure, the queue gives the job up): its deployment does not stay where the dead worker left
 * it. Left `planning` it ends `failed` with the reason, left `applying` it ends `interrupted`; the
 * `slipway deploy` check run and the GitHub Deployment say so, and the next push deploys. The
 * dead worker is the state it leaves in the store (a deployment moved on, a job running under an
 * expired lease on its last attempt); the service's own worker finds it. PGlite, and Postgres
 * with DATABASE_URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { deployJob } from '../../src/deploy/deploy-job.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { deploymentHistory, setDeploymentStatus } from '../../src/store/deployments.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { deployments, jobs, type DeploymentStatus } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';
import { readState, testStateBackend } from '../runner/runner-fixtures.ts';
import { unique } from '../store/engines.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

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

const app = (name: string, deploy?: string) =>
  `version: 1\nname: ${name}\nservices:\n  web:\n    type: web\n    image: ghcr.io/acme/${name}:\${sha}\n    port: 8080\n${deploy ? `deploy: ${deploy}\n` : ''}`;
const db = () => h.service.deps.store.db;
const deploymentOf = async (sha: string) => (await db().select().from(deployments).where(eq(deployments.commitSha, sha)))[0];
const checkOf = (repo: string, sha: string) => h.github.checkRuns.filter((r) => r.repo === repo && r.head_sha === sha && r.name === 'slipway deploy').at(-1);
const statusesOf = (githubId: number) => h.github.statuses.filter((s) => s.deployment_id === githubId);
const reached = (sha: string, statuses: DeploymentStatus[]) =>
  eventually(`the deployment of ${sha.slice(0, 8)} to reach ${statuses.join(' or ')}`, async () => {
    const row = await deploymentOf(sha);
    return row && statuses.includes(row.status) && (await deploymentHistory(db(), row.id)).at(-1)?.status === row.status ? row : undefined;
  }, 90_000);

/**
 * What a worker that died mid-step on the job's fifth attempt leaves: the deployment moved on to
 * `to` by that worker, and its `checks` job running under a lease that ran out. One transaction,
 * so the service's worker never sees the job queued.
 */
async function diedOnEveryAttempt(deploymentId: number, to: DeploymentStatus[]): Promise<number> {
  const d = (await findDeployment(db(), deploymentId))!;
  // The job that got it to `waiting` records its own end just after.
  await eventually('the run job to complete', async () => (await db().select().from(jobs).where(eq(jobs.idempotencyKey, `deploy:${deploymentId}:run`)))[0]?.status === 'completed' || undefined);
  return db().transaction(async (t) => {
    for (const status of to) await setDeploymentStatus(t, { deploymentId, status, actor: 'slipway', reason: 'the dead worker' });
    const { id } = await enqueue(t, deployJob({ deploymentId, appId: d.appId, environment: d.environment, action: 'checks', idempotencyKey: null }));
    await t
      .update(jobs)
      .set({ status: 'running', attempts: 5, lockedBy: 'crashed-worker', lockedUntil: new Date(Date.now() - 1_000), lastError: 'lease expired on attempt 4 of 5' })
      .where(eq(jobs.id, id));
    return id;
  });
}

describe('a deploy job whose worker died on every attempt', () => {
  it('ends a deployment left planning failed with the reason, tells GitHub, and the next push deploys', async () => {
    const name = unique('died-planning');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, '{ after: [build] }') });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const waiting = await reached(sha, ['waiting']);
    const jobId = await diedOnEveryAttempt(waiting.id, ['planning']);

    const row = await reached(sha, ['failed']);
    assert.equal(row.failure?.step, 'runner');
    assert.match(row.failure?.message ?? '', /^the deploy job failed 5 times; the last error: .*its worker stopped on attempt 5 of 5$/);
    assert.deepEqual((await deploymentHistory(db(), row.id)).slice(-2).map((e) => e.status), ['planning', 'failed']);
    const job = await eventually('the job dead', async () => (await db().select().from(jobs).where(eq(jobs.id, jobId))).find((j) => j.status === 'dead'));
    assert.match(job.lastError ?? '', /lease expired on attempt 5 of 5$/);
    const check = await eventually('the failed deploy check', () => (checkOf(repo.fullName, sha)?.conclusion === 'failure' ? checkOf(repo.fullName, sha) : undefined));
    assert.match(check.output.summary ?? '', /its worker stopped on attempt 5 of 5/);
    const ghDeployment = await eventually('a GitHub Deployment', () => h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha));
    const failure = await eventually('the failure status', () => statusesOf(ghDeployment.id).find((s) => s.state === 'failure'));
    assert.match(failure.description ?? '', /the deploy job failed 5 times/);

    const next = await repo.commit({ 'paas.yaml': app(name) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: sha, after: next }));
    const deployed = await reached(next, ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted']);
    assert.equal(deployed.status, 'succeeded', JSON.stringify(deployed.failure));
  });

  it('ends a deployment left applying interrupted (its workspace unlocked), tells GitHub, and the next push plans afresh and applies', async () => {
    const name = unique('died-applying');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, '{ after: [build] }') });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const waiting = await reached(sha, ['waiting']);
    await diedOnEveryAttempt(waiting.id, ['applying']);

    const row = await reached(sha, ['interrupted', 'failed']);
    assert.equal(row.status, 'interrupted');
    const history = await deploymentHistory(db(), row.id);
    assert.deepEqual(history.slice(-2).map((e) => e.status), ['applying', 'interrupted']);
    assert.match(history.at(-1)!.reason ?? '', /the process applying it stopped/);
    const check = await eventually('the failed deploy check', () => (checkOf(repo.fullName, sha)?.conclusion === 'failure' ? checkOf(repo.fullName, sha) : undefined));
    assert.ok(check);
    const ghDeployment = await eventually('a GitHub Deployment', () => h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha));
    const failure = await eventually('the failure status', () => statusesOf(ghDeployment.id).find((s) => s.state === 'failure'));
    assert.match(failure.description ?? '', /the process applying it stopped/);

    const next = await repo.commit({ 'paas.yaml': app(name) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: sha, after: next }));
    const deployed = await reached(next, ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted']);
    assert.equal(deployed.status, 'succeeded', JSON.stringify(deployed.failure));
    assert.deepEqual((await deploymentHistory(db(), deployed.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal((await readState(h.service.deps.runner!, { app: name, environment: 'production' }))?.resources.length, 1);
  });
});
