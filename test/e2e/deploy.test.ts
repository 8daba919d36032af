/**
 * `git push` deploys, end to end: signed webhooks over real HTTP, clones from the git smart-HTTP
 * server, the GitHub double, the real Terraform binary applying what synthesis produced through
 * the terraform_data test kinds, state in Postgres (pg backend) with DATABASE_URL and in the work
 * folder otherwise, and the store on the same engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { ResolvedConfig } from '../../src/config/schema.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { workspaceName } from '../../src/runner/workspace.ts';
import { deploymentHistory } from '../../src/store/deployments.ts';
import { readDeploymentLog } from '../../src/store/deployment-logs.ts';
import { auditLog, deployments, jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { createToken } from '../../src/tokens/create-token.ts';
import { deploymentActions } from '../../src/dashboard/deployment-actions.ts';
import { deployJobKind } from '../../src/deploy/deploy-job.ts';
import { checkRunPayload, pushPayload, statusPayload } from '../harness/payloads.ts';
import { readState, testStateBackend } from '../runner/runner-fixtures.ts';
import { unique } from '../store/engines.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

const canary = `canary-${Math.random().toString(36).slice(2)}-secret`;

let h: Harness;
let dropState: () => Promise<void> = async () => {};
before(async () => {
  const { state, drop } = await testStateBackend();
  dropState = drop;
  // In the service's environment, so in Terraform's: a provisioner prints it (the runner masks
  // values of variables whose names look secret).
  process.env.DEPLOY_TEST_SECRET = canary;
  h = await startHarness({}, { terraform: { state, afterTimeout: '10s', transform: failingWhenBroken } });
});
after(async () => {
  await h?.close();
  await dropState();
  delete process.env.DEPLOY_TEST_SECRET;
});

const app = (name: string, options: { image?: string; deploy?: string; extraService?: string } = {}) => `version: 1
name: ${name}
services:
  web:
    type: web
    image: ${options.image ?? `ghcr.io/acme/${name}:\${sha}`}
    port: 8080
    instances: 2
${options.extraService ?? ''}${options.deploy ? `deploy: ${options.deploy}\n` : ''}`;

/** Apps named `broken-…` get a web service whose creation fails after printing the canary. */
function failingWhenBroken(doc: TerraformJson, config: ResolvedConfig): TerraformJson {
  if (!config.name.startsWith('broken')) return doc;
  const data = doc.resource!.terraform_data as Record<string, Record<string, unknown>>;
  const key = Object.keys(data).find((k) => k.startsWith('web_service'))!;
  data[key] = { ...data[key], provisioner: [{ 'local-exec': { command: 'echo "key=$DEPLOY_TEST_SECRET"; exit 1' } }] };
  return doc;
}

const db = () => h.service.deps.store.db;
const rowsOf = (sha: string) => db().select().from(deployments).where(eq(deployments.commitSha, sha));
const deploymentOf = async (sha: string) => (await rowsOf(sha))[0];
const statusesOf = (githubId: number) => h.github.statuses.filter((s) => s.deployment_id === githubId);
const checkOf = (repo: string, sha: string, name: string) => h.github.checkRuns.filter((r) => r.repo === repo && r.head_sha === sha && r.name === name).at(-1);
const ended = (sha: string, statuses = ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted']) =>
  eventually(`the deployment of ${sha.slice(0, 8)} to end`, async () => {
    const row = await deploymentOf(sha);
    // The row moves first, then its history is appended: wait for both.
    return row && statuses.includes(row.status) && (await deploymentHistory(db(), row.id)).at(-1)?.status === row.status ? row : undefined;
  }, 90_000);
const applied = async (name: string) => (await readState(h.service.deps.runner!, { app: name, environment: 'production' }))?.resources ?? [];
const outcomeOf = async (id: string) => {
  const [row] = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row?.outcome && !row.outcome.startsWith('failed, will retry') ? row.outcome : undefined;
};

describe('a push to the default branch deploys', () => {
  it('applies the push, reports success with the service URL, and a code-only push applies the new image; the replaced deployment goes inactive', async () => {
    const name = unique('hello');
    const repo = await h.repo(`acme/${name}`);
    const first = await repo.commit({ 'paas.yaml': app(name), 'src/server.js': 'console.log(1);\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: first }));
    const row = await ended(first);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    const history = (await deploymentHistory(db(), row.id)).map((e) => e.status);
    assert.deepEqual(history, ['queued', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal((row.outputs as Record<string, { value: string }>).web_url!.value.startsWith('https://'), true);

    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === first)!;
    assert.ok(ghDeployment, 'a GitHub Deployment');
    assert.deepEqual(ghDeployment.required_contexts, []);
    assert.equal(ghDeployment.environment, 'production');
    const firstStatuses = await eventually('the success status', () => (statusesOf(ghDeployment.id).some((s) => s.state === 'success') ? statusesOf(ghDeployment.id) : undefined));
    assert.deepEqual(firstStatuses.map((s) => s.state), ['in_progress', 'success']);
    const success = firstStatuses[1]!;
    assert.equal(success.environment_url, (row.outputs as Record<string, { value: string }>).web_url!.value);
    // The Deployment's status and the check run's last update go out together.
    const deployCheck = await eventually('the deploy check to succeed', () => (checkOf(repo.fullName, first, 'slipway deploy')?.conclusion === 'success' ? checkOf(repo.fullName, first, 'slipway deploy') : undefined));
    assert.equal(success.log_url, `https://github.com/${repo.fullName}/runs/${deployCheck.id}`);
    assert.match(deployCheck.output.summary ?? '', /Terraform's plan: 1 to create/);
    const pushCheck = checkOf(repo.fullName, first, 'slipway')!.output.summary ?? '';
    assert.match(pushCheck, /Terraform plans and applies each deployment/);
    // Terraform's plan is the deploy check run's; the push's check links to it rather than show the inferred diff.
    assert.ok(pushCheck.includes(`Terraform plans and applies it: its plan is in the [\`slipway deploy\`](${h.git.url}/${repo.fullName}/commit/${first}/checks) check run`), pushCheck);
    assert.doesNotMatch(pushCheck, /to create/);

    // Only code changed: the applied image is the new commit's.
    const second = await repo.commit({ 'src/server.js': 'console.log(2);\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: first, after: second }));
    const next = await ended(second);
    assert.equal(next.status, 'succeeded', JSON.stringify(next.failure));
    const plan = next.terraformPlan as { resources: Array<{ action: string }> };
    assert.deepEqual(plan.resources.map((r) => r.action), ['update'], 'Terraform updated the service in place');
    const state = await readState(h.service.deps.runner!, { app: name, environment: 'production' });
    const web = state!.resources.find((r) => r.type === 'terraform_data')!;
    assert.equal((web.instances[0]!.attributes.input as { value: { image: string } }).value.image, `ghcr.io/acme/${name}:${second}`);
    await eventually('the first deployment to go inactive', () => statusesOf(ghDeployment.id).some((s) => s.state === 'inactive') || undefined);
  });

  it('reports a failing apply as a failure naming the resource, and the canary secret appears nowhere', async () => {
    const name = unique('broken');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const row = await ended(sha);
    assert.equal(row.status, 'failed');
    assert.equal(row.failure?.step, 'apply');
    assert.match(row.failure?.address ?? '', /^terraform_data\.web_service/);
    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha)!;
    const failure = await eventually('the failure status', () => statusesOf(ghDeployment.id).find((s) => s.state === 'failure'));
    assert.match(failure.description ?? '', new RegExp(`apply failed at ${row.failure!.address!.replace('.', '\\.')}`));
    const check = await eventually('the deploy check to fail', () => (checkOf(repo.fullName, sha, 'slipway deploy')?.conclusion === 'failure' ? checkOf(repo.fullName, sha, 'slipway deploy') : undefined));
    assert.match(check.output.title ?? '', /Apply failed at terraform_data\.web_service/);
    const log = (await readDeploymentLog(db(), row.id)).map((c) => c.text).join('');
    assert.match(log, /key=\*\*\*/, 'the provisioner ran, its output masked');
    assert.match(check.output.text ?? '', /key=\*\*\*/, 'the check run shows the end of the log');
    const everything = JSON.stringify({ log, row, calls: h.github.calls.map((c) => c.body), comments: h.github.comments });
    assert.ok(!everything.includes(canary), 'the canary appears in no log, row, check run, status or comment');
  });

  it('supersedes a queued run of an older commit when a newer one is pushed: the older is never applied, the newer applies', async () => {
    const name = unique('busy');
    const repo = await h.repo(`acme/${name}`);
    // Another run of this app and environment holds the deploy lock: the first push's run waits for it.
    const held = await h.service.deps.runner!.locks.acquire(workspaceName({ app: name, environment: 'production' }));
    let older: string;
    try {
      older = await repo.commit({ 'paas.yaml': app(name) });
      await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: older }));
      const waiting = await eventually('the older run to wait for the lock', async () => {
        const row = await deploymentOf(older);
        const log = row ? (await readDeploymentLog(db(), row.id)).map((c) => c.text).join('') : '';
        return row && /waiting for another run/.test(log) ? row : undefined;
      });
      assert.equal(waiting.status, 'queued');
      const newer = await repo.commit({ 'src/x.js': '1\n' });
      await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: older, after: newer }));
      const superseded = await ended(older);
      assert.equal(superseded.status, 'superseded');
      assert.match((await deploymentHistory(db(), superseded.id)).at(-1)!.reason ?? '', new RegExp(`superseded by ${newer.slice(0, 12)}`));
    } finally {
      await held.release();
    }
    const newer = (await db().select().from(deployments).where(eq(deployments.appId, (await deploymentOf(older))!.appId))).find((d) => d.commitSha !== older)!;
    const applied = await ended(newer.commitSha);
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
    const olderHistory = (await deploymentHistory(db(), (await deploymentOf(older))!.id)).map((e) => e.status);
    assert.ok(!olderHistory.includes('applying') && !olderHistory.includes('planning'), olderHistory.join(' → '));
    const olderGh = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === older)!;
    await eventually('the older GitHub Deployment to be inactive', () => statusesOf(olderGh.id).some((s) => s.state === 'inactive') || undefined);
    assert.ok(!statusesOf(olderGh.id).some((s) => s.state === 'success'));
    await eventually('the older deploy check to say superseded', () => checkOf(repo.fullName, older, 'slipway deploy')?.conclusion === 'skipped' || undefined);
  });

  it('does not apply a commit that is no longer the head of the default branch when it would apply: superseded, planned but never applied', async () => {
    const name = unique('moved');
    const repo = await h.repo(`acme/${name}`);
    const older = await repo.commit({ 'paas.yaml': app(name) });
    await repo.commit({ 'src/x.js': '1\n' }); // main moved on; its push has not arrived yet
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: older }));
    const row = await ended(older);
    assert.equal(row.status, 'superseded');
    const history = await deploymentHistory(db(), row.id);
    assert.deepEqual(history.map((e) => e.status), ['queued', 'planning', 'planned', 'superseded']);
    assert.match(history.at(-1)!.reason ?? '', new RegExp(`${older.slice(0, 12)} is no longer the head of main`));
    assert.deepEqual(await applied(name), [], 'nothing applied');
  });
});

describe('deploy.after: the checks a deployment waits for', () => {
  it('plans at once, waits for the build check run, and applies when it succeeds; the GitHub Deployment requires it', async () => {
    const name = unique('after');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ after: [build] }' }) });
    h.github.setCiCheckRun({ repo: repo.fullName, sha, name: 'build', status: 'in_progress' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const waiting = await ended(sha, ['waiting']);
    assert.deepEqual((await deploymentHistory(db(), waiting.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'waiting']);
    assert.ok(waiting.terraformPlan, 'planned by Terraform already');
    const check = await eventually('the waiting check', () => (checkOf(repo.fullName, sha, 'slipway deploy')?.output.title === 'Waiting for build' ? checkOf(repo.fullName, sha, 'slipway deploy') : undefined));
    assert.equal(check!.status, 'in_progress');
    assert.equal(h.github.deployments.filter((d) => d.repo === repo.fullName).length, 0, 'no GitHub Deployment before the build succeeded (GitHub would refuse it)');

    // Another check completing changes nothing.
    const other = await h.send('check_run', checkRunPayload({ action: 'completed', repo: repo.full, installationId: repo.installationId, sha, name: 'lint' }), `lint-${sha}`);
    assert.equal(other.status, 202);
    await eventually('the lint delivery handled', () => outcomeOf(`lint-${sha}`));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await deploymentOf(sha))!.status, 'waiting');

    h.github.setCiCheckRun({ repo: repo.fullName, sha, name: 'build', status: 'completed', conclusion: 'success' });
    await h.send('check_run', checkRunPayload({ action: 'completed', repo: repo.full, installationId: repo.installationId, sha, name: 'build' }));
    const row = await ended(sha);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    const history = (await deploymentHistory(db(), row.id)).map((e) => e.status);
    assert.deepEqual(history, ['queued', 'planning', 'planned', 'waiting', 'planning', 'planned', 'applying', 'succeeded'], 'planned afresh before applying');
    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha)!;
    assert.deepEqual(ghDeployment.required_contexts, ['build']);
    await eventually('the success status', () => statusesOf(ghDeployment.id).some((s) => s.state === 'success') || undefined);
  });

  it('fails with the reason when a required commit status fails', async () => {
    const name = unique('after-fails');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ after: [ci/build] }' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    await ended(sha, ['waiting']);
    h.github.addCommitStatus({ repo: repo.fullName, sha, context: 'ci/build', state: 'failure' });
    await h.send('status', statusPayload({ repo: repo.full, installationId: repo.installationId, sha, context: 'ci/build', state: 'failure' }));
    const row = await ended(sha);
    assert.equal(row.status, 'failed');
    assert.match(row.failure?.message ?? '', new RegExp(`the check ci/build ended failure on ${sha.slice(0, 12)}`));
    await eventually('the failed check', () => checkOf(repo.fullName, sha, 'slipway deploy')?.conclusion === 'failure' || undefined);
    assert.deepEqual(await applied(name), [], 'nothing applied');
  });

  it('a newer push supersedes a deployment waiting for its checks, and its check run says so', async () => {
    const name = unique('after-newer');
    const repo = await h.repo(`acme/${name}`);
    const older = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ after: [build] }' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: older }));
    await ended(older, ['waiting']);
    const newer = await repo.commit({ 'src/x.js': '1\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: older, after: newer }));
    assert.equal((await ended(older)).status, 'superseded');
    await eventually('the older check to say superseded', () => checkOf(repo.fullName, older, 'slipway deploy')?.conclusion === 'skipped' || undefined);
    assert.match(checkOf(repo.fullName, older, 'slipway deploy')!.output.summary ?? '', new RegExp(`superseded by ${newer.slice(0, 12)}`));
    await ended(newer, ['waiting']);
    // The build of the older commit succeeding changes nothing for it.
    h.github.setCiCheckRun({ repo: repo.fullName, sha: older, name: 'build', status: 'completed', conclusion: 'success' });
    await h.send('check_run', checkRunPayload({ action: 'completed', repo: repo.full, installationId: repo.installationId, sha: older, name: 'build' }), `build-${older}`);
    assert.match(await eventually('the older build delivery handled', () => outcomeOf(`build-${older}`)), /no deployment waits for it/);
    assert.deepEqual(await applied(name), []);
  });

  it('fails a deployment whose checks never report within the set time', async () => {
    const name = unique('after-late');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ after: [build] }' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    await ended(sha, ['waiting']);
    const row = await ended(sha);
    assert.equal(row.status, 'failed');
    assert.match(row.failure?.message ?? '', /build did not succeed on [0-9a-f]{12} within 10 s/);
  });

  it('a deploy job that fails on every attempt ends its deployment failed, with the reason, a failed check run and a GitHub Deployment failure', async () => {
    const name = unique('after-gone');
    const repo = await h.repo(`acme/${name}`);
    // GitHub refuses to say how the commit's checks went, on every attempt (422 is not retried by octokit).
    h.github.injectFault({ method: 'GET', path: new RegExp(`^/repos/acme/${name}/commits/[0-9a-f]{40}/status`), status: 422, times: 5 });
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ after: [build] }' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const row = await ended(sha);
    assert.equal(row.status, 'failed');
    assert.equal(row.failure?.step, 'runner');
    assert.match(row.failure?.message ?? '', /^the deploy job failed 5 times; the last error: .*combined status/);
    const job = await eventually('the job recorded dead', async () => (await db().select().from(jobs).where(eq(jobs.idempotencyKey, `deploy:${row.id}:run`))).find((j) => j.status === 'dead'));
    assert.equal(job.attempts, 5);
    const ghDeployment = await eventually('a GitHub Deployment', () => h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha));
    assert.deepEqual(ghDeployment.required_contexts, [], 'it only carries the failure');
    const failure = await eventually('the failure status', () => statusesOf(ghDeployment.id).find((s) => s.state === 'failure'));
    assert.match(failure.description ?? '', /the deploy job failed 5 times/);
    const check = checkOf(repo.fullName, sha, 'slipway deploy')!;
    assert.equal(check.conclusion, 'failure');
    assert.equal(failure.log_url, `https://github.com/${repo.fullName}/runs/${check.id}`);
    assert.deepEqual(await applied(name), [], 'nothing applied');
  });
});

describe('deploy: manual', () => {
  it('plans only; a reader pressing Apply is refused and recorded; a writer pressing it applies', async () => {
    const name = unique('manual');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: 'manual' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const planned = await ended(sha, ['planned']);
    await eventually('the deploy check with its Apply button', () => checkOf(repo.fullName, sha, 'slipway deploy')?.conclusion === 'neutral' || undefined);
    const slipwayCheck = checkOf(repo.fullName, sha, 'slipway')!;
    assert.deepEqual(slipwayCheck.actions?.map((a) => a.identifier), ['apply']);
    assert.deepEqual(checkOf(repo.fullName, sha, 'slipway deploy')!.actions?.map((a) => a.label), ['Apply']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await deploymentOf(sha))!.status, 'planned', 'nothing applies by itself');
    assert.deepEqual(await applied(name), []);

    h.github.setPermission(repo.fullName, 'rita-reader', 'read');
    const press = (login: string, delivery: string) =>
      h.send('check_run', checkRunPayload({ action: 'requested_action', repo: repo.full, installationId: repo.installationId, sha, name: 'slipway', id: slipwayCheck.id, appSlug: 'slipway', identifier: 'apply', sender: login }), delivery);
    await press('rita-reader', `press-reader-${sha}`);
    assert.match(await eventually('the refusal', () => outcomeOf(`press-reader-${sha}`)), /refused: rita-reader has read access/);
    const refusals = await db().select().from(auditLog).where(eq(auditLog.action, 'deploy.apply.refused'));
    assert.ok(refusals.some((r) => r.actor === 'rita-reader' && r.subject === `${repo.fullName}@${sha}`), 'the refusal is recorded');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await deploymentOf(sha))!.status, 'planned');

    h.github.setPermission(repo.fullName, 'wanda-writer', 'write');
    await press('wanda-writer', `press-writer-${sha}`);
    const row = await ended(sha);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    const history = await deploymentHistory(db(), planned.id);
    assert.deepEqual(history.map((e) => e.status), ['queued', 'planning', 'planned', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal(history.find((e) => e.status === 'applying')!.actor, 'wanda-writer');
    assert.equal((await applied(name)).length, 1);
    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha)!;
    await eventually('the success status', () => statusesOf(ghDeployment.id).some((s) => s.state === 'success') || undefined);
  });

  it('an apply asked for through the API is the deploy job, as GitHub’s Apply button: statuses, policies and guards', async () => {
    const name = unique('manual-api');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: 'manual' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const planned = await ended(sha, ['planned']);
    const { token } = await createToken(db(), { name: `ci-${name}`, role: 'deploy', repositories: [repo.fullName], createdBy: 'cli:test' });
    const ask = () => fetch(`${h.service.url}/api/v1/deployments/${planned.id}/apply`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'release' }) });
    const res = await ask();
    assert.equal(res.status, 202, await res.clone().text());
    const { job } = (await res.json()) as { job: number };
    const [queued] = await db().select().from(jobs).where(eq(jobs.id, job));
    assert.equal(queued!.kind, deployJobKind, 'the deploy job, not the direct runner path');
    const actor = (queued!.payload as { actor: string }).actor;
    assert.ok(actor.startsWith('token:') && actor.endsWith(`:ci-${name}`), actor);
    assert.deepEqual(queued!.payload, { deploymentId: planned.id, action: 'apply', actor });
    const row = await ended(sha);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    const history = await deploymentHistory(db(), planned.id);
    assert.deepEqual(history.map((e) => e.status), ['queued', 'planning', 'planned', 'planning', 'planned', 'applying', 'succeeded']);
    assert.equal(history.find((e) => e.status === 'applying')!.actor, actor);
    assert.equal((await applied(name)).length, 1);
    // What only the deploy job does: the GitHub Deployment and its statuses.
    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha)!;
    assert.ok(ghDeployment, 'a GitHub Deployment was created');
    await eventually('the success status', () => statusesOf(ghDeployment.id).some((s) => s.state === 'success') || undefined);
    // Asked again: the deployment is no longer planned.
    assert.equal((await ask()).status, 409);
  });

  it('a plan asked for through the API is the deploy job’s plan: Terraform’s plan stored, nothing applied, asked again as often as wanted', async () => {
    const name = unique('manual-api-plan');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: 'manual' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const planned = await ended(sha, ['planned']);
    const { token } = await createToken(db(), { name: `ci-${name}`, role: 'deploy', repositories: [repo.fullName], createdBy: 'cli:test' });
    const ask = () => fetch(`${h.service.url}/api/v1/deployments/${planned.id}/plan`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const res = await ask();
    assert.equal(res.status, 202, await res.clone().text());
    const { job } = (await res.json()) as { job: number };
    const [queued] = await db().select().from(jobs).where(eq(jobs.id, job));
    assert.equal(queued!.kind, deployJobKind, 'the deploy job, not the direct runner path');
    const actor = (queued!.payload as { actor: string }).actor;
    assert.deepEqual(queued!.payload, { deploymentId: planned.id, action: 'plan', actor });
    const history = await eventually('planned again for the token', async () => {
      const events = await deploymentHistory(db(), planned.id);
      return events.length === 5 && events.at(-1)!.status === 'planned' ? events : undefined;
    }, 90_000);
    assert.deepEqual(history.map((e) => [e.status, e.actor === actor]), [['queued', false], ['planning', false], ['planned', false], ['planning', true], ['planned', true]]);
    assert.ok((await deploymentOf(sha))!.terraformPlan, 'Terraform’s plan is stored');
    assert.deepEqual(await applied(name), [], 'nothing applied');
    // The deploy job reports the plan on the deploy check run: planned again, with its Apply button.
    await eventually('the deploy check run back to planned', () => checkOf(repo.fullName, sha, 'slipway deploy')?.conclusion === 'neutral' || undefined);
    // As often as asked (the token's rate limit bounds it).
    assert.equal((await ask()).status, 202);
  });

  it('the dashboard’s Apply of a push’s deployment is the deploy job too, with the GitHub Deployment', async () => {
    const name = unique('manual-dashboard');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: 'manual' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const planned = await ended(sha, ['planned']);
    const actions = deploymentActions({ db: db(), runner: h.service.deps.runner!, log: () => {} });
    assert.equal(await actions.apply(planned.id, 'dora (dashboard)'), planned.id);
    const queued = await db().select().from(jobs).where(eq(jobs.idempotencyKey, `apply:${planned.id}`));
    assert.deepEqual(queued.map((j) => [j.kind, j.payload]), [[deployJobKind, { deploymentId: planned.id, action: 'apply', actor: 'dora (dashboard)' }]]);
    await assert.rejects(actions.apply(planned.id, 'dora (dashboard)'), /already requested|only a planned or waiting deployment/, 'pressed twice: one apply');
    const row = await ended(sha);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    assert.equal((await deploymentHistory(db(), planned.id)).find((e) => e.status === 'applying')!.actor, 'dora (dashboard)');
    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.fullName && d.sha === sha)!;
    assert.ok(ghDeployment, 'a GitHub Deployment was created');
    await eventually('the success status', () => statusesOf(ghDeployment.id).some((s) => s.state === 'success') || undefined);
  });

  it('an Apply pressed before the deploy.after checks passed waits for them, then applies', async () => {
    const name = unique('manual-after');
    const repo = await h.repo(`acme/${name}`);
    const sha = await repo.commit({ 'paas.yaml': app(name, { deploy: '{ mode: manual, after: [build] }' }) });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    await ended(sha, ['planned']);
    h.github.setPermission(repo.fullName, 'wanda-writer', 'write');
    await h.send('check_run', checkRunPayload({ action: 'requested_action', repo: repo.full, installationId: repo.installationId, sha, name: 'slipway deploy', appSlug: 'slipway', identifier: 'apply', externalId: String((await deploymentOf(sha))!.id), sender: 'wanda-writer' }));
    await ended(sha, ['waiting']);
    h.github.setCiCheckRun({ repo: repo.fullName, sha, name: 'build', status: 'completed', conclusion: 'success' });
    await h.send('check_run', checkRunPayload({ action: 'completed', repo: repo.full, installationId: repo.installationId, sha, name: 'build' }));
    const row = await ended(sha);
    assert.equal(row.status, 'succeeded', JSON.stringify(row.failure));
    assert.deepEqual((await deploymentHistory(db(), row.id)).map((e) => e.status), ['queued', 'planning', 'planned', 'planning', 'planned', 'waiting', 'planning', 'planned', 'applying', 'succeeded']);
  });
});
