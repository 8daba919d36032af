// The set-up routes over HTTP (app.request) against the GitHub double: GitHub failing the code
// exchange is a 502 page and nothing is stored (the person can try again with a new state); a
// code exchanged once is refused the second time; the service is told once.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredAppCredentials } from '../../src/settings/app-credentials-file.ts';
import { defaultRunnerSettings } from '../../src/settings/runner-settings.ts';
import { setupApp } from '../../src/setup/setup-app.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';

describe('set-up routes', () => {
  let github: GitHubDouble;
  before(async () => (github = await startGitHubDouble()));
  after(async () => github.close());

  it('shows a failed code exchange as a 502 page, stores nothing, and lets the person try again; a spent code is refused; once set up, nothing more is exchanged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-setup-routes-'));
    const configured: StoredAppCredentials[] = [];
    const app = setupApp({
      settings: { githubApiUrl: github.url, githubUrl: github.url, dataDir, port: 0, host: '127.0.0.1', role: 'all', workers: 1, runner: defaultRunnerSettings },
      token: 'the-token',
      readiness: async () => ({ ready: true }),
      onConfigured: async (credentials) => void configured.push(credentials),
    });
    const origin = 'http://slipway.test';
    const opened = await app.request(`${origin}/setup?token=the-token`);
    assert.equal(opened.status, 303);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(opened.headers.get('set-cookie')!, /HttpOnly/i);
    const formResponse = await app.request(`${origin}/setup`, { headers: { cookie } });
    // No script may run there, and its forms go to Slipway or GitHub only.
    assert.match(formResponse.headers.get('content-security-policy')!, new RegExp(`default-src 'none'.*form-action 'self' ${github.url}`));
    assert.equal(formResponse.headers.get('referrer-policy'), 'no-referrer');
    const form = await formResponse.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;

    const startFlow = async () => {
      const page = await (await app.request(`${origin}/setup/manifest`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf, name: 'acme-slipway', public_url: origin, owner: 'personal' }) })).text();
      const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
      const manifest = /name="manifest" value="([^"]+)"/.exec(page)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      assert.equal(new URL(action).pathname, '/settings/apps/new');
      const githubPage = await (await fetch(action, { method: 'POST', body: new URLSearchParams({ manifest }) })).text();
      const back = new URL(/id="create" href="([^"]+)"/.exec(githubPage)![1]!.replace(/&#38;/g, '&'));
      return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
    };

    const first = await startFlow();
    github.injectFault({ method: 'POST', path: /^\/app-manifests\//, status: 500 });
    const failed = await app.request(`${origin}/setup/callback?code=${first.code}&state=${first.state}`, { headers: { cookie } });
    assert.equal(failed.status, 502);
    assert.match(await failed.text(), /GitHub answered 500/);
    assert.equal(existsSync(join(dataDir, 'github-app.env')), false);
    assert.equal(configured.length, 0);
    // That state is spent; a new one with the same (unspent) code goes through.
    assert.equal((await app.request(`${origin}/setup/callback?code=${first.code}&state=${first.state}`, { headers: { cookie } })).status, 403);
    // A code GitHub has already exchanged (here by someone else) is refused: start again.
    const spent = await startFlow();
    assert.equal((await fetch(`${github.url}/app-manifests/${spent.code}/conversions`, { method: 'POST' })).status, 201);
    const refused = await app.request(`${origin}/setup/callback?code=${spent.code}&state=${spent.state}`, { headers: { cookie } });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /used already or is more than an hour old/);
    assert.equal(configured.length, 0);

    const second = await startFlow();
    const done = await app.request(`${origin}/setup/callback?code=${first.code}&state=${second.state}`, { headers: { cookie } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${github.url}/apps/acme-slipway/installations/new`);
    assert.equal(statSync(join(dataDir, 'github-app.env')).mode & 0o777, 0o600);
    assert.equal(configured.length, 1);
    assert.equal(configured[0]!.appId, github.appId);
    assert.equal(configured[0]!.privateKey, github.privateKeyPem);

    // Once set up, another answer from GitHub changes nothing.
    const third = await startFlow();
    const again = await app.request(`${origin}/setup/callback?code=${third.code}&state=${third.state}`, { headers: { cookie } });
    assert.equal(again.status, 409);
    assert.equal(configured.length, 1);
  });
});
