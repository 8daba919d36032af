// From an empty data folder to a running, installed App through the browser alone: `slipway serve`
// (the real CLI) without credentials prints a one-time set-up link; Chromium opens it, posts the
// App manifest to (the double of) GitHub, comes back with a code that Slipway exchanges, installs
// the App, and the installation webhook GitHub then sends is accepted by the same process: no
// restart. And what must be refused is: a wrong or spent set-up token, a forged state.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations } from '../harness/browser.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { createTestDatabase } from '../store/engines.ts';
import { startServeProcess, type ServeProcess } from './serve-process.ts';

describe('set-up in a browser (GitHub App manifest flow)', () => {
  let github: GitHubDouble;
  let browser: Browser;
  let serve: ServeProcess;
  let database: { url: string; drop: () => Promise<void> } | undefined;

  before(async () => {
    github = await startGitHubDouble();
    github.web.installTarget = { account: 'acme', repositories: ['acme/shop'] };
    database = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
    serve = startServeProcess({ GITHUB_API_URL: github.url, GITHUB_URL: github.url, ...(database ? { DATABASE_URL: database.url } : {}) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await serve?.stop();
    await github?.close();
    await database?.drop();
  });

  it('goes from the printed link to a running, installed App without a restart, and refuses wrong tokens and forged states', async () => {
    const setupUrl = await serve.setupUrl;
    const base = await serve.url;
    assert.equal(new URL(setupUrl).origin, base);

    // Before anything: webhooks cannot be checked yet (503, GitHub can redeliver), nothing else exists.
    assert.equal((await fetch(`${base}/webhooks/github`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 503);
    assert.equal((await fetch(`${base}/dashboard`)).status, 404);

    // A wrong token is refused, and /setup without the cookie the link gives is refused too.
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    const wrong = await strangerPage.goto(`${base}/setup?token=not-the-token`);
    assert.equal(wrong?.status(), 403);
    assert.match(await strangerPage.locator('[role=alert]').innerText(), /not valid/);
    assert.equal((await strangerPage.goto(`${base}/setup`))?.status(), 403);

    // The operator opens the link: the token leaves the address bar, the form is there.
    const operator = await browser.newContext();
    const page = await operator.newPage();
    await page.goto(setupUrl);
    assert.equal(new URL(page.url()).pathname, '/setup');
    assert.equal(new URL(page.url()).search, '');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'setup', '1-form');

    // The link works once: opened again (another browser), it is refused.
    const reused = await strangerPage.goto(setupUrl);
    assert.equal(reused?.status(), 403);

    // A forged state (not one this session was given) is refused, and nothing is converted.
    const forged = await page.goto(`${base}/setup/callback?code=abc&state=forged`);
    assert.equal(forged?.status(), 403);
    assert.equal(github.callsTo('POST', /^\/app-manifests\//).length, 0);
    await page.goto(`${base}/setup`);

    // A form post without the session's CSRF token is refused.
    // (Sent with the operator's own session cookie, as a forged cross-site form would be.)
    const cookie = (await operator.cookies(`${base}/setup`)).map((c) => `${c.name}=${c.value}`).join('; ');
    assert.match(cookie, /^slipway_setup=/);
    const csrfless = await fetch(`${base}/setup/manifest`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ name: 'x', public_url: base, owner: 'personal' }) });
    assert.equal(csrfless.status, 403);
    assert.match(await csrfless.text(), /CSRF token missing or wrong/);

    // An organization without a valid login: the form says what to fix.
    await page.getByRole('radio', { name: 'An organization' }).check();
    await page.getByLabel('App name').fill('acme-slipway');
    await page.getByRole('textbox', { name: 'Organization login' }).fill('not a login!');
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.locator('[role=alert]').innerText(), /Organization: its login/);

    await page.getByRole('textbox', { name: 'Organization login' }).fill('acme');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Create the App on GitHub' }).waitFor();
    const manifest = JSON.parse(await page.locator('input[name=manifest]').inputValue());
    assert.equal(manifest.hook_attributes.url, `${base}/webhooks/github`);
    assert.equal(manifest.redirect_url, `${base}/setup/callback`);
    assert.deepEqual(manifest.default_events, ['push', 'pull_request', 'issue_comment']);
    assert.equal(manifest.default_permissions.checks, 'write');
    assert.equal(manifest.default_permissions.contents, 'read');
    await screenshot(page, 'setup', '2-manifest');

    // On "GitHub": the new-App page of the organization, then back with a code.
    await page.getByRole('button', { name: 'Create the App on GitHub' }).click();
    assert.equal(new URL(page.url()).pathname, '/organizations/acme/settings/apps/new');
    await page.getByRole('link', { name: 'Create GitHub App for acme' }).click();
    // Exchanged, stored, running: the person is sent on to install the App.
    await page.getByRole('heading', { name: 'Install acme-slipway' }).waitFor();
    assert.equal(github.callsTo('POST', /^\/app-manifests\/[^/]+\/conversions$/).length, 1);

    // The credentials are in the data folder, readable by the owner only, and nowhere in the log.
    const file = join(serve.dataDir, 'github-app.env');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = readFileSync(file, 'utf8');
    const registered = github.web.registered!;
    assert.match(stored, new RegExp(`^APP_ID=${registered.id}$`, 'm'));
    assert.ok(stored.includes(registered.webhookSecret));
    const log = serve.stderr();
    assert.ok(!log.includes(registered.webhookSecret), 'the webhook secret is not printed');
    assert.ok(!log.includes(registered.clientSecret), 'the OAuth client secret is not printed');
    assert.ok(!log.includes('PRIVATE KEY'), 'the private key is not printed');
    assert.match(log, /set-up finished: running/);

    // Installing: GitHub sends the signed installation webhook; the same process takes it.
    await page.getByRole('button', { name: 'Install' }).click();
    assert.deepEqual(github.web.sentWebhooks, [{ event: 'installation', status: 202 }]);
    assert.equal(new URL(page.url()).pathname, '/dashboard/sign-in', 'GitHub sends the person to the dashboard, which asks them to sign in');

    // The set-up routes are gone; webhooks are checked with the new secret.
    assert.equal((await fetch(`${base}/setup`)).status, 404);
    assert.equal((await fetch(`${base}/setup?token=${new URL(setupUrl).searchParams.get('token')}`)).status, 404);
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    assert.equal((await fetch(`${base}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(registered.webhookSecret, 'ping', body) })).status, 202);
    assert.equal((await fetch(`${base}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders('wrong-secret', 'ping', body) })).status, 401);

    // The dashboard: sign in with GitHub (the App's OAuth client, which the set-up stored), and the
    // installation GitHub announced by webhook is there, in the same process.
    github.setPermission('acme/shop', 'octocat', 'write');
    await page.goto(`${base}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/sign-in');
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('link', { name: 'Authorize acme-slipway' }).click();
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    await page.getByText('Signed in as').waitFor();
    for (let attempt = 0; !(await page.getByText('acme/shop').count()); attempt++) {
      assert.ok(attempt < 100, 'the installation webhook is shown on the dashboard');
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    assert.match(await page.locator('main').innerText(), /acme: acme\/shop/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, 'setup', '3-dashboard');
    await stranger.close();
    await operator.close();
  });
});
