/**
 * Preview environments per pull request, end to end: signed webhooks over real HTTP, clones from
 * the git smart-HTTP server, the GitHub double, and the real Terraform binary applying and
 * destroying what synthesis produced through the terraform_data test kinds — state in Postgres
 * (pg backend, one workspace per preview) with DATABASE_URL, in the work folder otherwise.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { ResolvedConfig } from '../../src/config/schema.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { reconcileTick } from '../../src/reconcile/reconcile-tick.ts';
import { apps, deployments, environments, previews } from '../../src/store/schema.ts';
import { giveUpDeployment } from '../../src/deploy/give-up-deployment.ts';
import { runPushDeployment } from '../../src/deploy/run-push-deployment.ts';
import { interruptedReason } from '../../src/runner/index.ts';
import { deploymentTerraformJson } from '../../src/store/deployment-runs.ts';
import { createDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { findPreview, livePreviews, updatePreview } from '../../src/store/previews.ts';
import { checkRunPayload, issueCommentPayload, pullRequestPayload } from '../harness/payloads.ts';
import { readState, testStateBackend } from '../runner/runner-fixtures.ts';
import { unique } from '../store/engines.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

const markers = mkdtempSync(join(tmpdir(), 'slipway-preview-markers-'));

/** Apps named `sticky-…`: their web service's destroy fails while a marker file exists (once: the provisioner removes it). */
function stickyWhenAsked(doc: TerraformJson, config: ResolvedConfig): TerraformJson {
  if (!config.name.startsWith('sticky')) return doc;
  const data = doc.resource!.terraform_data as Record<string, Record<string, unknown>>;
  const key = Object.keys(data).find((k) => k.startsWith('web_service'))!;
  const marker = join(markers, config.name);
  data[key] = { ...data[key], provisioner: [{ 'local-exec': { when: 'destroy', command: `if [ -f ${marker} ]; then rm ${marker}; echo "still in use"; exit 1; fi` } }] };
  return doc;
}

let h: Harness;
let dropState: () => Promise<void> = async () => {};
before(async () => {
  const { state, drop } = await testStateBackend();
  dropState = drop;
  h = await startHarness({ previews: { destroyRetryMs: 60_000 } }, { terraform: { state, transform: stickyWhenAsked } });
});
after(async () => {
  await h?.close();
  await dropState();
  rmSync(markers, { recursive: true, force: true });
});

const previewApp = (name: string, options: { instances?: number; cpu?: number; memory?: string; previews?: string; db?: boolean } = {}) => `version: 1
name: ${name}
services:
  web:
    type: web
    image: ghcr.io/acme/${name}:\${sha}
    port: 8080
    cpu: ${options.cpu ?? 0.25}
    memory: ${options.memory ?? '512Mi'}
    instances: ${options.instances ?? 2}
${options.db ? 'resources:\n  db:\n    type: postgres\n    size: large\n    highAvailability: true\n' : ''}previews:
  enabled: true
${options.previews ?? ''}`;

type Repo = Awaited<ReturnType<Harness['repo']>>;
const db = () => h.service.deps.store.db;
const runner = () => h.service.deps.runner!;
const settled = ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'];

async function deploymentOf(sha: string, environment: string, trigger = 'preview', statuses = settled) {
  return eventually(`the ${trigger} deployment of ${sha.slice(0, 8)} in ${environment} to end`, async () => {
    const [row] = await db()
      .select({ d: deployments })
      .from(deployments)
      .innerJoin(environments, eq(environments.id, deployments.environmentId))
      .where(and(eq(deployments.commitSha, sha), eq(environments.name, environment), eq(deployments.trigger, trigger)));
    return row && statuses.includes(row.d.status) ? row.d : undefined;
  }, 120_000);
}

async function previewRow(environment: string, app: string, states?: string[]) {
  return eventually(`the preview ${app}/${environment}${states ? ` to be ${states.join(' or ')}` : ''}`, async () => {
    const rows = (await livePreviewsAndDestroyed()).filter((p) => p.app === app && p.environment === environment);
    return rows[0] && (!states || states.includes(rows[0].state)) ? rows[0] : undefined;
  }, 120_000);
}

async function livePreviewsAndDestroyed() {
  const rows = await db()
    .select({ p: previews, environment: environments.name, app: apps.name })
    .from(previews)
    .innerJoin(environments, eq(environments.id, previews.environmentId))
    .innerJoin(apps, eq(apps.id, previews.appId));
  return rows.map((r) => ({ ...r.p, environment: r.environment, app: r.app }));
}

const commentOf = (repo: string, n: number) => h.github.comments.find((c) => c.repo === repo && c.issue_number === n && c.body.includes('slipway:pr-comment'));
const noticesOn = (repo: string, n: number) => h.github.comments.filter((c) => c.repo === repo && c.issue_number === n && !c.body.includes('slipway:pr-comment'));

async function openPr(repo: Repo, input: { base: string; files: Record<string, string>; number: number; fork?: boolean }): Promise<string> {
  const headSha = await repo.commit(input.files, { branch: `feature-${input.number}`, parent: input.base });
  await h.send('pull_request', pullRequestPayload({
    action: 'opened', repo: repo.full, installationId: repo.installationId, number: input.number, headSha, headRef: `feature-${input.number}`, baseSha: input.base,
    ...(input.fork ? { headRepo: { fullName: `outsider/${repo.full.fullName.split('/')[1]}`, cloneUrl: repo.full.cloneUrl } } : {}),
  }));
  return headSha;
}

async function pushPr(repo: Repo, input: { base: string; files: Record<string, string>; number: number; before: string }): Promise<string> {
  const headSha = await repo.commit(input.files, { branch: `feature-${input.number}` });
  await h.send('pull_request', pullRequestPayload({ action: 'synchronize', repo: repo.full, installationId: repo.installationId, number: input.number, headSha, headRef: `feature-${input.number}`, baseSha: input.base, before: input.before }));
  return headSha;
}

const webInput = async (app: string, environment: string) => {
  const state = await readState(runner(), { app, environment });
  const web = state?.resources.find((r) => r.type === 'terraform_data' && r.name.startsWith('web_service'));
  return (web?.instances[0]?.attributes.input as { value: Record<string, unknown> } | undefined)?.value;
};

describe('preview environments', () => {
  it('applies a preview when a PR opens (URL on the PR, transient GitHub Deployment), updates it on a push, and destroys it on close with its state gone', async () => {
    const name = unique('prev');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 7 });

    const applied = await deploymentOf(head, 'pr-7');
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
    const url = (applied.outputs as Record<string, { value: string }>).web_url!.value;
    assert.match(url, /^https:\/\//);
    assert.equal((await webInput(name, 'pr-7'))?.image, `ghcr.io/acme/${name}:${head}`, 'the preview runs the PR head');
    assert.equal(await readState(runner(), { app: name, environment: 'production' }), undefined, 'production is untouched');

    const ghDeployment = h.github.deployments.find((d) => d.repo === repo.full.fullName && d.sha === head)!;
    assert.ok(ghDeployment, 'a GitHub Deployment');
    assert.equal(ghDeployment.environment, 'pr-7');
    assert.equal(ghDeployment.transient_environment, true);
    assert.equal(ghDeployment.production_environment, false);
    const success = await eventually('the success status', () => h.github.statuses.find((s) => s.deployment_id === ghDeployment.id && s.state === 'success'));
    assert.equal(success.environment_url, url);

    const body = await eventually('the URL in the PR comment', () => (commentOf(repo.full.fullName, 7)?.body.includes(url) ? commentOf(repo.full.fullName, 7)!.body : undefined), 60_000);
    assert.match(body, /### Preview environments/);
    assert.match(body, /### `[a-z0-9-]+` · pr-7/, "the comment's plan is the preview's own");
    assert.doesNotMatch(body, /· production/);

    // A push updates the preview in place.
    const second = await pushPr(repo, { base, files: { 'src/app.js': '2\n' }, number: 7, before: head });
    const updated = await deploymentOf(second, 'pr-7');
    assert.equal(updated.status, 'succeeded', JSON.stringify(updated.failure));
    assert.deepEqual((updated.terraformPlan as { resources: Array<{ action: string }> }).resources.map((r) => r.action), ['update']);
    assert.equal((await webInput(name, 'pr-7'))?.image, `ghcr.io/acme/${name}:${second}`);

    // Closed: destroyed, state and workspace gone, the GitHub Deployment inactive.
    await h.send('pull_request', pullRequestPayload({ action: 'closed', repo: repo.full, installationId: repo.installationId, number: 7, headSha: second, headRef: 'feature-7', baseSha: base }));
    const destroyed = await deploymentOf(second, 'pr-7', 'preview-destroy');
    assert.equal(destroyed.status, 'succeeded', JSON.stringify(destroyed.failure));
    assert.deepEqual((destroyed.terraformPlan as { resources: Array<{ action: string }> }).resources.map((r) => r.action), ['delete']);
    await previewRow('pr-7', name, ['destroyed']);
    assert.equal(await readState(runner(), { app: name, environment: 'pr-7' }), undefined, 'the state is gone with its workspace');
    if (runner().state.kind === 'local') assert.equal(existsSync(join(runner().root, 'work', `${name}.pr-7`)), false);
    const updatedGh = h.github.deployments.find((d) => d.repo === repo.full.fullName && d.sha === second)!;
    await eventually('the preview deployment to go inactive', () => h.github.statuses.some((s) => s.deployment_id === updatedGh.id && s.state === 'inactive') || undefined);
  });

  it('destroys a preview past its TTL on a tick (injected clock), says so on the PR, and a new push brings it back', async () => {
    const name = unique('ttl');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name, { previews: '  ttl: 2h\n' }) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 8 });
    assert.equal((await deploymentOf(head, 'pr-8')).status, 'succeeded');

    const deps = h.service.deps;
    const realNow = deps.now;
    // One hour on: not expired; nothing happens.
    deps.now = () => new Date(Date.now() + 3_600_000);
    const early = await reconcileTick(deps);
    assert.equal(early.previewsExpired, 0);
    // Three hours on: past the 2 h TTL.
    deps.now = () => new Date(Date.now() + 3 * 3_600_000);
    try {
      const late = await reconcileTick(deps);
      assert.equal(late.previewsExpired, 1);
    } finally {
      deps.now = realNow;
    }
    const destroyed = await deploymentOf(head, 'pr-8', 'preview-destroy');
    assert.equal(destroyed.status, 'succeeded', JSON.stringify(destroyed.failure));
    await previewRow('pr-8', name, ['destroyed']);
    assert.equal(await readState(runner(), { app: name, environment: 'pr-8' }), undefined);
    const notice = await eventually('the TTL notice', () => noticesOn(repo.full.fullName, 8).find((c) => c.body.includes('previews.ttl')));
    assert.match(notice.body, /past its TTL of 2h/);

    const revived = await pushPr(repo, { base, files: { 'src/app.js': '2\n' }, number: 8, before: head });
    const again = await deploymentOf(revived, 'pr-8');
    assert.equal(again.status, 'succeeded', JSON.stringify(again.failure));
    assert.deepEqual((again.terraformPlan as { resources: Array<{ action: string }> }).resources.map((r) => r.action), ['create'], 'planned as new');
    const row = await previewRow('pr-8', name, ['open']);
    assert.ok(row.expiresAt && row.expiresAt.getTime() > Date.now() + 3_500_000, 'a fresh TTL');
  });

  it('shrinks a preview over its cap to fit, and says what was shrunk with the figures', async () => {
    const name = unique('shrink');
    const repo = await h.repo(`acme/${name}`);
    // About $65/month shrunk (one 0.25 vCPU task, a micro single-AZ database, the load balancer); far more as written.
    const base = await repo.commit({ 'paas.yaml': previewApp(name, { instances: 3, cpu: 1, memory: '2Gi', db: true, previews: '  maxMonthly: 100\n' }) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 9 });
    const applied = await deploymentOf(head, 'pr-9');
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
    const web = await webInput(name, 'pr-9');
    assert.equal(web?.cpu, 0.25);
    assert.equal(web?.memory_mib, 512);
    const row = await previewRow('pr-9', name, ['open']);
    assert.ok(row.monthlyUsd! <= 100, `priced ${row.monthlyUsd} within the cap`);
    assert.ok(row.caps!.monthlyBefore! > 100, `priced ${row.caps!.monthlyBefore} as written`);
    const body = await eventually('the comment with what was shrunk', () => commentOf(repo.full.fullName, 9)?.body.includes('shrunk to fit') && commentOf(repo.full.fullName, 9)!.body);
    assert.match(body, /web: instances 3 → 1/);
    assert.match(body, /db: size "large" → "micro"/);
    assert.match(body, /db: highAvailability true → false/);
    assert.match(body, /caps \$100\.00\/month per preview; priced \$\d+\.\d\d\/month as written/);
    assert.match(body, /cost so far/);
  });

  it('refuses a preview still over its cap once shrunk, with the figures, and applies nothing', async () => {
    const name = unique('refuse');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name, { db: true, previews: '  maxMonthly: 5\n' }) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 10 });
    const row = await previewRow('pr-10', name, ['refused']);
    assert.match(row.reason ?? '', /^refused: \$\d+\.\d\d\/month is over the cap of \$5\.00\/month per preview, even shrunk$/);
    const body = await eventually('the refusal in the comment', () => commentOf(repo.full.fullName, 10)?.body.includes('refused') && commentOf(repo.full.fullName, 10)!.body);
    assert.match(body, /over the cap of \$5\.00\/month per preview/);
    assert.match(body, /shrunk to fit the caps/);
    const [recorded] = await db().select({ id: deployments.id }).from(deployments).where(eq(deployments.commitSha, head));
    assert.equal(recorded, undefined, 'nothing recorded, nothing applied');
    assert.equal(await readState(runner(), { app: name, environment: 'pr-10' }), undefined);
  });

  it('retries a destroy that failed, says so on the PR and in the status, then removes the preview', async () => {
    const name = unique('sticky');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 11 });
    assert.equal((await deploymentOf(head, 'pr-11')).status, 'succeeded');
    writeFileSync(join(markers, name), 'fail the next destroy\n');

    await h.send('pull_request', pullRequestPayload({ action: 'closed', repo: repo.full, installationId: repo.installationId, number: 11, headSha: head, headRef: 'feature-11', baseSha: base, merged: true }));
    const failed = await previewRow('pr-11', name, ['destroy-failed']);
    assert.equal(failed.destroyAttempts, 1);
    assert.match(failed.reason ?? '', /the destroy did not finish/);
    assert.ok((await readState(runner(), { app: name, environment: 'pr-11' }))?.resources.length, 'what could not be destroyed is still in the state');
    const notice = await eventually('the failure notice', () => noticesOn(repo.full.fullName, 11).find((c) => c.body.includes('did not finish')));
    assert.match(notice.body, /slipway status/);
    const listed = (await livePreviews(db())).find((p) => p.app === name);
    assert.equal(listed?.state, 'destroy-failed', '`slipway status` lists it');

    // Not yet due: nothing happens; past the back-off: destroyed.
    assert.equal((await reconcileTick(h.service.deps)).previewDestroysRetried, 0);
    const deps = h.service.deps;
    const realNow = deps.now;
    deps.now = () => new Date(failed.retryAt!.getTime() + 1_000);
    try {
      assert.equal((await reconcileTick(deps)).previewDestroysRetried, 1);
    } finally {
      deps.now = realNow;
    }
    await previewRow('pr-11', name, ['destroyed']);
    assert.equal(await readState(runner(), { app: name, environment: 'pr-11' }), undefined);
  });

  it('never leaves a preview destroying: a destroy found interrupted, or given up by its job, is destroy-failed and retried, with no deploy check run', async () => {
    const name = unique('stuck');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 12 });
    const appliedRun = await deploymentOf(head, 'pr-12');
    assert.equal(appliedRun.status, 'succeeded');
    const deps = h.service.deps;
    const preview = (await findPreview(db(), appliedRun.environmentId))!;
    const deployChecks = () => h.github.checkRuns.filter((r) => r.repo === repo.full.fullName && r.name.startsWith('slipway deploy')).length;
    const checksBefore = deployChecks();
    const statusesBefore = h.github.statuses.length;

    // A destroy recorded, then ended by something other than its run (as start-up recovery marks
    // a destroy whose process died mid-apply), and no job queued for it: its retry settles it.
    const destroyOf = async () => {
      const row = await createDeployment(db(), {
        appId: appliedRun.appId, environmentId: appliedRun.environmentId, commitSha: head, trigger: 'preview-destroy',
        terraformJson: (await deploymentTerraformJson(db(), appliedRun.id)) as TerraformJson, configHash: appliedRun.configHash,
        settings: { mode: 'auto', after: [], githubEnvironment: preview.githubEnvironment, preview: { pullRequest: 12, destroy: true } }, actor: 'slipway', reason: 'closed',
      });
      await updatePreview(db(), appliedRun.environmentId, { state: 'destroying' });
      return row.id;
    };
    const interrupted = await destroyOf();
    await setDeploymentStatus(db(), { deploymentId: interrupted, status: 'interrupted', actor: 'slipway', reason: interruptedReason });
    assert.match(await runPushDeployment(deps, { deploymentId: interrupted, action: 'run', attempt: 2 }), /attempt 1/);
    const afterInterrupt = (await findPreview(db(), appliedRun.environmentId))!;
    assert.equal(afterInterrupt.state, 'destroy-failed');
    assert.equal(afterInterrupt.destroyAttempts, 1);
    assert.ok(afterInterrupt.retryAt && afterInterrupt.retryAt > new Date(), 'tried again after a back-off');
    assert.match(afterInterrupt.reason ?? '', /process applying it stopped/);
    await eventually('the PR told', () => noticesOn(repo.full.fullName, 12).find((c) => c.body.includes('did not finish')));
    // Run once more (a retry of that job): settled already, not counted twice.
    assert.equal(await runPushDeployment(deps, { deploymentId: interrupted, action: 'run', attempt: 3 }), 'already interrupted');
    assert.equal((await findPreview(db(), appliedRun.environmentId))!.destroyAttempts, 1);

    // A destroy whose job failed on every attempt.
    const givenUp = await destroyOf();
    assert.match(await giveUpDeployment(deps, { deploymentId: givenUp, attempts: 5, error: new Error('store unreachable') }), /attempt 2/);
    const [givenUpRow] = await db().select().from(deployments).where(eq(deployments.id, givenUp));
    assert.equal(givenUpRow!.status, 'failed');
    assert.match(givenUpRow!.failure?.message ?? '', /failed 5 times; the last error: store unreachable/);
    const afterGiveUp = (await findPreview(db(), appliedRun.environmentId))!;
    assert.equal(afterGiveUp.state, 'destroy-failed');
    assert.equal(afterGiveUp.destroyAttempts, 2);
    assert.equal(deployChecks(), checksBefore, 'a destroy posts no `slipway deploy` check run');
    assert.equal(h.github.statuses.filter((s) => s.state === 'failure').length, h.github.statuses.slice(0, statusesBefore).filter((s) => s.state === 'failure').length, 'nor a failed Deployment');

    // The tick's retry takes it down for real.
    const realNow = deps.now;
    deps.now = () => new Date(afterGiveUp.retryAt!.getTime() + 1_000);
    try {
      assert.equal((await reconcileTick(deps)).previewDestroysRetried, 1);
    } finally {
      deps.now = realNow;
    }
    await previewRow('pr-12', name, ['destroyed']);
    assert.equal(await readState(runner(), { app: name, environment: 'pr-12' }), undefined);
  });

  it('waits for deploy.after checks on the PR head before applying the preview, and applies when they succeed', async () => {
    const name = unique('built');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': `${previewApp(name)}deploy: { after: [build] }\n` });
    const headSha = await repo.commit({ 'src/app.js': '1\n' }, { branch: 'feature-13', parent: base });
    h.github.setCiCheckRun({ repo: repo.full.fullName, sha: headSha, name: 'build', status: 'in_progress' });
    await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number: 13, headSha, headRef: 'feature-13', baseSha: base }));
    const waiting = await deploymentOf(headSha, 'pr-13', 'preview', ['waiting']);
    assert.deepEqual(waiting.settings?.after, ['build']);
    assert.equal((await readState(runner(), { app: name, environment: 'pr-13' }))?.resources.length ?? 0, 0, 'nothing applied before the image is built (planning may create the empty pg workspace)');

    h.github.setCiCheckRun({ repo: repo.full.fullName, sha: headSha, name: 'build', status: 'completed', conclusion: 'success' });
    await h.send('check_run', checkRunPayload({ action: 'completed', repo: repo.full, installationId: repo.installationId, sha: headSha, name: 'build' }), `build-${headSha}`);
    const done = await deploymentOf(headSha, 'pr-13');
    assert.equal(done.status, 'succeeded', JSON.stringify(done.failure));
    assert.equal((await webInput(name, 'pr-13'))?.image, `ghcr.io/acme/${name}:${headSha}`);
  });

  it('never applies a fork’s preview until a writer comments /slipway preview; a reader cannot', async () => {
    const name = unique('fork');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name) });
    const head = await openPr(repo, { base, files: { 'src/app.js': '1\n' }, number: 12, fork: true });
    const waiting = await previewRow('pr-12', name, ['awaiting-approval']);
    assert.match(waiting.reason ?? '', /\/slipway preview/);
    const body = await eventually('the comment', () => commentOf(repo.full.fullName, 12)?.body.includes('awaiting-approval') && commentOf(repo.full.fullName, 12)!.body);
    assert.match(body, /comes from a fork/);
    const [none] = await db().select({ id: deployments.id }).from(deployments).where(eq(deployments.commitSha, head));
    assert.equal(none, undefined, 'nothing recorded for the fork');

    h.github.setPermission(repo.full.fullName, 'stranger', 'read');
    await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 12, body: '/slipway preview', sender: 'stranger' }));
    await eventually('the refusal', () => noticesOn(repo.full.fullName, 12).find((c) => c.body.includes('needs write access')));
    assert.equal((await previewRow('pr-12', name)).state, 'awaiting-approval');

    h.github.setPermission(repo.full.fullName, 'maintainer', 'write');
    await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 12, body: '/slipway preview', sender: 'maintainer' }));
    const applied = await deploymentOf(head, 'pr-12');
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied.failure));
    const row = await previewRow('pr-12', name, ['open']);
    assert.equal(row.approvedBy, 'maintainer');
  });

  it('keeps to previews.maxOpen: the preview idle longest is destroyed for a new one, and its PR told why', async () => {
    const name = unique('limit');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name, { previews: '  maxOpen: 1\n' }) });
    const first = await openPr(repo, { base, files: { 'src/a.js': '1\n' }, number: 14 });
    assert.equal((await deploymentOf(first, 'pr-14')).status, 'succeeded');
    const second = await openPr(repo, { base, files: { 'src/b.js': '1\n' }, number: 15 });
    assert.equal((await deploymentOf(second, 'pr-15')).status, 'succeeded');
    assert.equal((await deploymentOf(first, 'pr-14', 'preview-destroy')).status, 'succeeded');
    await previewRow('pr-14', name, ['destroyed']);
    assert.equal(await readState(runner(), { app: name, environment: 'pr-14' }), undefined);
    const notice = await eventually('the eviction notice', () => noticesOn(repo.full.fullName, 14).find((c) => c.body.includes('make room')));
    assert.match(notice.body, /to make room for #15: .* may have 1 preview\(s\) up at once \(previews\.maxOpen\)/);
    assert.equal((await previewRow('pr-15', name)).state, 'open');
  });

  it('gives no preview for an invalid paas.yaml, and reports the error on its line', async () => {
    const name = unique('invalid');
    const repo = await h.repo(`acme/${name}`);
    const base = await repo.commit({ 'paas.yaml': previewApp(name) });
    await openPr(repo, { base, files: { 'paas.yaml': previewApp(name).replace('port: 8080', 'port: eighty') }, number: 13 });
    const body = await eventually('the comment', () => commentOf(repo.full.fullName, 13)?.body);
    assert.match(body, /Config error: paas\.yaml:7:\d+/);
    assert.doesNotMatch(body, /Preview environments/);
    const rows = (await livePreviewsAndDestroyed()).filter((p) => p.app === name);
    assert.equal(rows.length, 0);
  });
});
