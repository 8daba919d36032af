// The dashboard in Chromium, against a running Slipway (real HTTP on loopback, the store, the real
// Terraform runner) and the GitHub double's OAuth sign-in: who sees what (GitHub's list of the
// person's repositories), a reader has no Apply button and a forged POST is refused, a writer's
// Apply runs through Terraform, the log of a running deployment follows without a reload, the
// API-token sign-in sees everything; every page passes axe's WCAG A/AA checks (no serious ones).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { getOrCreateApp } from '../../src/store/apps.ts';
import type { Db } from '../../src/store/db.ts';
import { appendDeploymentLog } from '../../src/store/deployment-logs.ts';
import { createDeployment, createPlannedDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { insertMetricSeries } from '../../src/store/metric-samples.ts';
import { recordProposedRecommendations } from '../../src/store/recommendations.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { findCommitHold } from '../../src/store/commit-holds.ts';
import { launchBrowser, screenshot, seriousA11yViolations } from '../harness/browser.ts';
import { startHarness, eventually, type Harness } from '../e2e/service-harness.ts';
import { testAppDocument, webApp } from '../runner/runner-fixtures.ts';

const oauth = { clientId: 'Iv1.dashboardtest', clientSecret: 'dashboard-client-secret' };
const apiToken = 'operator-token-for-the-dashboard';
const sha = 'a'.repeat(40);
const laterSha = 'd'.repeat(40);

describe('the dashboard, in a browser', () => {
  let harness: Harness;
  let browser: Browser;
  let db: Db;
  let base: string;
  const ids = { planned: 0, running: 0, secret: 0, app: 0 };

  before(async () => {
    // With Terraform on the PATH (the harness hides it unless asked): Apply and Rollback run it.
    harness = await startHarness({ oauth, apiToken, runner: { state: { kind: 'local' }, timeoutMs: 120_000 } }, { env: process.env });
    base = harness.service.url;
    harness.service.deps; // running mode
    const github = harness.github;
    github.web.registered = { id: github.appId, slug: 'slipway', name: 'slipway', owner: 'acme', manifest: { callback_urls: [`${base}/dashboard/auth/callback`] }, webhookSecret: 'unused', ...oauth };
    github.addInstallation({ id: 501, account: 'acme', repositories: ['acme/shop', 'acme/vault'] });
    github.setPermission('acme/shop', 'reader', 'read');
    github.setPermission('acme/shop', 'writer', 'write');
    db = harness.service.deps.store.db;
    await upsertInstallation(db, { id: 501, accountLogin: 'acme' });
    await upsertRepositories(db, 501, [{ id: 9001, fullName: 'acme/shop' }, { id: 9002, fullName: 'acme/vault' }]);
    const shop = await getOrCreateApp(db, { repositoryId: 9001, name: 'shop' });
    ids.app = shop.id;
    const production = await getOrCreateEnvironment(db, { appId: shop.id, name: 'production' });
    const staging = await getOrCreateEnvironment(db, { appId: shop.id, name: 'staging' });
    const planned = await createPlannedDeployment(db, {
      appId: shop.id,
      environmentId: production.id,
      commitSha: sha,
      terraformJson: testAppDocument(webApp('shop'), sha),
      planSummary: { counts: { create: 3 }, changed: ['create terraform_data.web'], policies: [{ ruleId: 'require-health-check', status: 'warn', severity: 'warning' }] },
      monthlyCostUsd: 18.25,
      final: { status: 'planned', actor: 'slipway' },
    });
    ids.planned = planned.id;
    const running = await createDeployment(db, { appId: shop.id, environmentId: staging.id, commitSha: 'b'.repeat(40), monthlyCostUsd: 9.5 });
    await setDeploymentStatus(db, { deploymentId: running.id, status: 'planning', actor: 'runner' });
    ids.running = running.id;
    const vault = await getOrCreateApp(db, { repositoryId: 9002, name: 'vault' });
    const vaultProduction = await getOrCreateEnvironment(db, { appId: vault.id, name: 'production' });
    ids.secret = (await createDeployment(db, { appId: vault.id, environmentId: vaultProduction.id, commitSha: 'c'.repeat(40) })).id;
    // The body as the PR job stores it: the engine's summary and the service's spec.
    const summary = { app: 'shop', service: 'web', kind: 'cpu', title: 'web: cpu 1 → 0.5 vCPU', detail: 'Recency-weighted P90 usage 0.31 vCPU over 14.0 days, 4032 samples; +15 % margin → 0.36 vCPU, snapped to a Fargate size.', monthlySaving: 14.6, confidence: 0.9, change: { field: 'cpu', to: 0.5 } };
    await recordProposedRecommendations(db, [{ installationId: 501, repositoryId: 9001, app: 'shop', environment: 'production', service: 'web', kind: 'cpu', fingerprint: 'web-cpu', body: { summary, spec: { cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 2 } } }, monthlySaving: 14.6, pullRequest: 12 }], new Date());
    await recordProposedRecommendations(db, [{ installationId: 501, repositoryId: 9001, app: 'shop', environment: 'staging', service: 'worker', kind: 'replicas', fingerprint: 'worker-replicas', body: { min: 1, max: 3 }, monthlySaving: 2, pullRequest: 13 }], new Date());
    // Its evidence: two weeks of cpu samples (percent of the configured 1 vCPU), peaking at 45 %.
    const hours = 14 * 24 - 2;
    const times = Array.from({ length: hours }, (_, i) => Date.now() - (hours - i) * 3_600_000);
    await insertMetricSeries(db, { installationId: 501, repositoryId: 9001, app: 'shop', service: 'web', metric: 'cpu', times, values: times.map((_, i) => (i === 100 ? 45 : 10 + (i % 20))) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  async function signInWithGitHub(login: string): Promise<{ context: BrowserContext; page: Page }> {
    harness.github.web.webUser = login;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/sign-in');
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('link', { name: 'Authorize slipway' }).click();
    await page.getByText(`Signed in as ${login}`).waitFor();
    return { context, page };
  }

  it('asks who you are first: pages send you to sign in, the log answers 401', async () => {
    const response = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/dashboard/sign-in');
    assert.equal((await fetch(`${base}/dashboard/deployments/${ids.running}/log`)).status, 401);
    const forged = await fetch(`${base}/dashboard/deployments/${ids.planned}/apply`, { method: 'POST', body: new URLSearchParams({ csrf: 'x' }) });
    assert.equal(forged.status, 401);
    // A sign-in that did not start here (no state cookie) is refused.
    assert.equal((await fetch(`${base}/dashboard/auth/callback?code=abc&state=forged`)).status, 403);
  });

  it('shows a reader their repositories only, no Apply button, and refuses their forged POSTs', async () => {
    const { context, page } = await signInWithGitHub('reader');
    const main = await page.locator('main').innerText();
    assert.match(main, /shop/);
    assert.match(main, /production/);
    assert.match(main, /\$18\.25|—/);
    assert.doesNotMatch(main, /vault/, 'acme/vault is not listed for a person GitHub gives no access to it');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'overview-reader');

    await page.getByRole('row', { name: /production/ }).getByRole('link', { name: 'planned' }).click();
    await page.getByRole('heading', { name: `Deployment ${ids.planned}: shop to production` }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /3 to create/);
    assert.match(text, /require-health-check/);
    assert.equal(await page.getByRole('button', { name: 'Apply' }).count(), 0, 'no Apply button for a reader');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'deployment-reader');

    // With this session's CSRF token (taken from the page), still refused: a reader cannot push.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const post = (path: string, body: Record<string, string>) =>
      page.evaluate(async ([p, b]) => (await fetch(p as string, { method: 'POST', body: new URLSearchParams(b as Record<string, string>) })).status, [path, body] as const);
    assert.equal(await post(`/dashboard/deployments/${ids.planned}/apply`, { csrf }), 403);
    assert.equal(await post(`/dashboard/deployments/${ids.planned}/apply`, { csrf: 'forged' }), 403);
    assert.equal((await findDeployment(db, ids.planned))!.status, 'planned', 'nothing ran');
    // Another repository's deployment does not exist for them.
    assert.equal((await page.goto(`${base}/dashboard/deployments/${ids.secret}`))?.status(), 404);
    await context.close();
  });

  it('follows the log of a running deployment without reloading the page', async () => {
    const { context, page } = await signInWithGitHub('reader');
    await page.goto(`${base}/dashboard/deployments/${ids.running}`);
    assert.equal(await page.locator('#log').getAttribute('data-finished'), 'no');
    await page.evaluate(() => ((globalThis as any).sameDocument = true));
    await appendDeploymentLog(db, [{ deploymentId: ids.running, step: 'plan', text: 'terraform_data.web: Creating...\n' }]);
    await page.locator('#log', { hasText: 'terraform_data.web: Creating...' }).waitFor({ timeout: 15_000 });
    // Terraform's output carries text from the repository: shown as text, never as markup.
    await appendDeploymentLog(db, [{ deploymentId: ids.running, step: 'plan', text: 'Error: <img src=x onerror="globalThis.pwned=1"> was refused\n' }]);
    await setDeploymentStatus(db, { deploymentId: ids.running, status: 'failed', actor: 'runner', failure: { step: 'plan', message: 'refused' } });
    await page.locator('#status', { hasText: 'failed' }).waitFor({ timeout: 15_000 });
    await page.locator('#log[data-finished=yes]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('#log').innerText(), /Creating\.\.\.\nError: <img src=x onerror="globalThis.pwned=1"> was refused/);
    assert.equal(await page.evaluate(() => (globalThis as any).sameDocument), true, 'the page was not reloaded');
    assert.equal(await page.locator('#log img').count(), 0);
    // Loaded afresh (server-rendered, finished), the same text is escaped too.
    await page.reload();
    assert.equal(await page.locator('#log').getAttribute('data-finished'), 'yes');
    assert.equal(await page.locator('#log img').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as any).pwned), undefined);
    await context.close();
  });

  it('lets a writer Apply, then Rollback to an earlier deployment: both run through Terraform, the commit rolled back from is held', async () => {
    const { context, page } = await signInWithGitHub('writer');
    await page.goto(`${base}/dashboard/deployments/${ids.planned}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: `Deployment ${ids.planned} started.` }).waitFor();
    await page.locator('#status', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    // The page stops following once the log is complete: Terraform's last lines are in it.
    await page.locator('#log[data-finished=yes]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('#log').innerText(), /Apply complete!/);
    const done = await eventually('the deployment recorded as succeeded', async () => {
      const row = await findDeployment(db, ids.planned);
      return row?.status === 'succeeded' ? row : undefined;
    });
    // Now it is live: the overview shows its commit as applied; no Rollback to what is live now.
    await page.reload();
    assert.equal(await page.getByRole('button', { name: 'Rollback to this deployment' }).count(), 0, 'the live deployment is not offered as a rollback target');
    await page.goto(`${base}/dashboard`);
    assert.match(await page.getByRole('row', { name: /production/ }).innerText(), /aaaaaaa/);
    // A later commit goes live through Apply too.
    const later = await createPlannedDeployment(db, {
      appId: ids.app,
      environmentId: done.environmentId,
      commitSha: laterSha,
      terraformJson: testAppDocument(webApp('shop'), laterSha),
      planSummary: { counts: { update: 1 }, changed: ['update terraform_data.web'], policies: [] },
      monthlyCostUsd: 18.25,
      final: { status: 'planned', actor: 'slipway' },
    });
    await page.goto(`${base}/dashboard/deployments/${later.id}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#status', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    // Rollback to the earlier one: the one rollBack, a new deployment of its Terraform JSON that
    // holds the commit rolled back from, run through Terraform to its end.
    await page.goto(`${base}/dashboard/deployments/${ids.planned}`);
    await page.getByRole('button', { name: 'Rollback to this deployment' }).click();
    const rollback = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(rollback > later.id, 'a new deployment');
    await page.locator('#status', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    const main = await page.locator('main').innerText();
    assert.match(main, /\(rollback\)/);
    assert.match(main, new RegExp(`rollback to deployment ${ids.planned} \\(aaaaaaa\\) from deployment ${later.id} \\(ddddddd\\)`));
    const rolledBack = await eventually('the rollback recorded as succeeded', async () => ((await findDeployment(db, rollback))?.status === 'succeeded' ? await findDeployment(db, rollback) : undefined));
    assert.equal(rolledBack.commitSha, sha, 'the earlier commit is live again');
    assert.equal((await findCommitHold(db, { environmentId: done.environmentId, commitSha: laterSha }))?.rollbackDeploymentId, rollback, 'the commit rolled back from is held');
    // Now the earlier deployment is what runs: rolling back to it again is refused (a forged POST
    // shows rollBack's reason), and the later one is offered instead.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const again = await page.evaluate(async ([p, c]) => {
      const response = await fetch(p as string, { method: 'POST', body: new URLSearchParams({ csrf: c as string }) });
      return { status: response.status, text: await response.text() };
    }, [`/dashboard/deployments/${rollback}/rollback`, csrf] as const);
    assert.equal(again.status, 409);
    assert.match(again.text, new RegExp(`deployment ${rollback} \\(aaaaaaa\\) is what shop.production runs now: nothing to roll back`));
    await page.goto(`${base}/dashboard/deployments/${later.id}`);
    assert.equal(await page.getByRole('button', { name: 'Rollback to this deployment' }).count(), 1);
    await context.close();
  });

  it('shows an app’s deployments, cost over time and recommendations', async () => {
    const { context, page } = await signInWithGitHub('reader');
    await page.goto(`${base}/dashboard/apps/${ids.app}`);
    const text = await page.locator('main').innerText();
    assert.match(text, /web: cpu 1 → 0\.5 vCPU/);
    assert.match(text, /P90 usage 0\.31 vCPU over 14\.0 days/);
    assert.match(text, /replicas\t(min: 1, max: 3|max: 3, min: 1)\t/, 'a body without a summary shows its plain fields');
    // The metric history against the configured and the proposed size.
    assert.match(await page.getByRole('img', { name: /web cpu over the last 14 days/ }).getAttribute('aria-labelledby') ?? '', /chart-web-cpu/);
    assert.match(text, /web cpu over the last 14 days: peak 0\.45 vCPU; configured 1\.00 vCPU, proposed 0\.50 vCPU\./);
    assert.match(text, /\$14\.60/);
    assert.match(text, /PR #12/);
    assert.match(text, /Monthly cost per deployment to production, from \$18\.25 to \$18\.25/, 'the cost chart follows one environment');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'app');
    await context.close();
  });

  it('signs the operator in with the API token (a wrong one refused), who sees every repository', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/sign-in`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'sign-in');
    await page.getByLabel('API token (SLIPWAY_API_TOKEN)').fill('wrong');
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    assert.match(await page.locator('[role=alert]').innerText(), /not the API token/);
    await page.getByLabel('API token (SLIPWAY_API_TOKEN)').fill(apiToken);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.getByText('Signed in as api-token').waitFor();
    assert.match(await page.locator('main').innerText(), /vault/);
    // Signing out ends the session.
    await page.getByRole('button', { name: 'Sign out' }).click();
    assert.equal(new URL(page.url()).pathname, '/dashboard/sign-in');
    await page.goto(`${base}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/sign-in');
    await context.close();
  });
});
