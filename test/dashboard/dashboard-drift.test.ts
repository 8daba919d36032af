// The overview's drift column in Chromium, against a running Slipway (real HTTP on loopback, the
// store): each environment's last drift check as the reconcile tick records it — in sync and when,
// drifted with how many resources and attributes linking to the drift issue on GitHub (or, with no
// issue, to the app page), a check that could not run, never checked — and no value of the report
// on the overview; the app page lists what differs, masked values as masked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { githubWebUrl } from '../../src/github/clone-url.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { saveDriftCheck } from '../../src/store/drift-checks.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { launchBrowser, screenshot, seriousA11yViolations } from '../harness/browser.ts';
import { startHarness, type Harness } from '../e2e/service-harness.ts';

const apiToken = 'operator-token-for-the-drift-column';

describe('the dashboard’s drift column, in a browser', () => {
  let harness: Harness;
  let browser: Browser;
  let base: string;
  let appId = 0;

  before(async () => {
    harness = await startHarness({ apiToken }, { env: process.env });
    base = harness.service.url;
    const db = harness.service.deps.store.db;
    await upsertInstallation(db, { id: 601, accountLogin: 'acme' });
    await upsertRepositories(db, 601, [{ id: 9101, fullName: 'acme/shop' }]);
    const shop = await getOrCreateApp(db, { repositoryId: 9101, name: 'shop' });
    const env = (name: string) => getOrCreateEnvironment(db, { appId: shop.id, name });
    const [production, staging, qa] = [await env('production'), await env('staging'), await env('qa')];
    await env('dev');
    const canary = await env('canary');
    appId = shop.id;
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    const head = { hash: 'h', head: 'a'.repeat(40) };
    const resources = [
      { address: 'terraform_data.web', type: 'terraform_data', action: 'update', seenBy: ['refresh'], attributes: [{ path: 'input.cpu', outside: 2, desired: 1, sensitive: false }, { path: 'input.db_password', outside: '(sensitive)', desired: '(sensitive)', sensitive: true }] },
      { address: 'terraform_data.queue', type: 'terraform_data', action: 'create', seenBy: ['plan'], attributes: [{ path: 'input.size', outside: null, desired: 3, sensitive: false }] },
    ];
    await saveDriftCheck(db, { environmentId: production.id, appId: shop.id, deploymentId: null, status: 'drifted', report: { resources, counts: { resources: 2, attributes: 3 }, ...head }, checkedAt: hoursAgo(0.1), everyMinutes: 60, heal: false, driftedSince: hoursAgo(3), issueNumber: 17 });
    await saveDriftCheck(db, { environmentId: staging.id, appId: shop.id, deploymentId: null, status: 'clean', report: { resources: [], counts: { resources: 0, attributes: 0 }, ...head }, checkedAt: hoursAgo(2), everyMinutes: 1440, heal: false });
    await saveDriftCheck(db, { environmentId: qa.id, appId: shop.id, deploymentId: null, status: 'error', report: { error: 'refresh: the state is locked', ...head }, checkedAt: hoursAgo(30), everyMinutes: 1440, heal: false });
    await saveDriftCheck(db, { environmentId: canary.id, appId: shop.id, deploymentId: null, status: 'drifted', report: { resources: [resources[1]], counts: { resources: 1, attributes: 1 }, ...head }, checkedAt: hoursAgo(50), everyMinutes: 60, heal: false, driftedSince: hoursAgo(50), issueNumber: null });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('shows each environment in sync, drifted (linking to its issue), failed or unchecked', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/sign-in`);
    await page.getByLabel('API token (SLIPWAY_API_TOKEN)').fill(apiToken);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.getByText('Signed in as api-token').waitFor();

    const cell = async (environment: string) => (await page.getByRole('row', { name: new RegExp(`\\b${environment}\\b`) }).locator('td').last().innerText()).trim();
    assert.match(await page.locator('main').innerText(), /2 drifted/);
    assert.equal(await cell('production'), 'drifted: 2 resources, 3 attributes · checked 6m ago');
    assert.equal(await cell('staging'), 'in sync · checked 2h ago');
    assert.equal(await cell('qa'), 'check failed · checked 30h ago');
    assert.equal(await cell('dev'), '—');
    assert.equal(await cell('canary'), 'drifted: 1 resource, 1 attribute · checked 2d ago');
    const link = page.getByRole('row', { name: /production/ }).getByRole('link', { name: /drifted: 2 resources/ });
    const settings = harness.service.deps.settings;
    assert.equal(await link.getAttribute('href'), `${(settings.githubUrl ?? githubWebUrl(settings.githubApiUrl)).replace(/\/+$/, '')}/acme/shop/issues/17`);
    assert.doesNotMatch(await page.content(), /sensitive|db_password/, 'the report’s attributes stay off the overview');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'overview-drift');

    // Without an issue, the link goes to the app page's drift section: what differs, per environment.
    await page.getByRole('row', { name: /canary/ }).getByRole('link', { name: /drifted: 1 resource/ }).click();
    assert.equal(new URL(page.url()).pathname, `/dashboard/apps/${appId}`);
    const production = page.getByRole('table', { name: /production: drifted/ });
    assert.equal(await production.getByRole('link', { name: 'issue #17' }).getAttribute('href'), `${(settings.githubUrl ?? githubWebUrl(settings.githubApiUrl)).replace(/\/+$/, '')}/acme/shop/issues/17`);
    const rows = await production.locator('tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\t').map((c) => c.trim())), [
      ['terraform_data.web', 'update', 'input.cpu', '2', '1'],
      ['terraform_data.web', 'update', 'input.db_password', '(sensitive)', '(sensitive)'],
      ['terraform_data.queue', 'create', 'input.size', 'null', '3'],
    ]);
    assert.deepEqual(await page.getByRole('table', { name: /canary: drifted/ }).locator('tbody tr').allInnerTexts().then((r) => r.length), 1);
    assert.equal(await page.getByRole('table', { name: /staging|qa/ }).count(), 0, 'environments in sync or not measured are not listed');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'dashboard', 'app-drift');
    await context.close();
  });
});
