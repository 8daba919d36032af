// The set-up form's GitHub Enterprise Server URL, over HTTP (app.request) against two GitHub
// doubles: the configured GitHub, and another standing in for the Enterprise Server named on the
// form (its API answered under /api/v3, as GitHub Enterprise Server's is). The manifest is posted
// to that server's new-App form, the code is exchanged on its API, the stored credentials name
// both of its addresses; the configured GitHub sees none of it. A URL that is not https (when the
// configured API is https), not a URL, or has a path is refused with the reason on the page.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredAppCredentials } from '../../src/settings/app-credentials-file.ts';
import { defaultRunnerSettings } from '../../src/settings/runner-settings.ts';
import { enterpriseServer } from '../../src/setup/enterprise-server.ts';
import { setupApp } from '../../src/setup/setup-app.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';

const origin = 'http://slipway.test';
const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#38;/g, '&').replace(/&amp;/g, '&');

/** A set-up app with its session opened: its cookie and the form's CSRF token. */
async function openSetup(githubApiUrl: string, githubUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-setup-enterprise-'));
  const configured: StoredAppCredentials[] = [];
  const app = setupApp({
    settings: { githubApiUrl, ...(githubUrl ? { githubUrl } : {}), dataDir, port: 0, host: '127.0.0.1', role: 'all', workers: 1, runner: defaultRunnerSettings },
    token: 'the-token',
    readiness: async () => ({ ready: true }),
    onConfigured: async (credentials) => void configured.push(credentials),
  });
  const opened = await app.request(`${origin}/setup?token=the-token`);
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const form = await (await app.request(`${origin}/setup`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
  const submit = (fields: Record<string, string>) =>
    app.request(`${origin}/setup/manifest`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf, name: 'acme-slipway', public_url: origin, owner: 'personal', ...fields }) });
  return { app, cookie, form, submit, dataDir, configured };
}

describe('set-up on GitHub Enterprise Server', () => {
  let github: GitHubDouble;
  let enterprise: GitHubDouble;
  before(async () => {
    github = await startGitHubDouble();
    enterprise = await startGitHubDouble();
  });
  after(async () => {
    await github?.close();
    await enterprise?.close();
  });

  it('registers the App on the server the form names: manifest to its new-App form, code to its /api/v3, both addresses stored', async () => {
    const setup = await openSetup(github.url, github.url);
    assert.match(setup.form, /<label for="enterprise_url">GitHub Enterprise Server URL \(optional\)<\/label>/);

    const answer = await setup.submit({ enterprise_url: `${enterprise.url}/`, owner: 'organization', organization: 'acme' });
    assert.equal(answer.status, 200);
    // The page's form may post to that server (and only there besides Slipway).
    assert.match(answer.headers.get('content-security-policy')!, new RegExp(`form-action 'self' ${enterprise.url};`));
    const page = await answer.text();
    const action = unescape(/<form method="post" action="([^"]+)"/.exec(page)![1]!);
    assert.equal(`${new URL(action).origin}${new URL(action).pathname}`, `${enterprise.url}/organizations/acme/settings/apps/new`);
    const manifest = unescape(/name="manifest" value="([^"]+)"/.exec(page)![1]!);
    const serverPage = await (await fetch(action, { method: 'POST', body: new URLSearchParams({ manifest }) })).text();
    const back = new URL(unescape(/id="create" href="([^"]+)"/.exec(serverPage)![1]!));
    assert.equal(back.origin + back.pathname, `${origin}/setup/callback`);

    const done = await setup.app.request(`${origin}/setup/callback?code=${back.searchParams.get('code')}&state=${back.searchParams.get('state')}`, { headers: { cookie: setup.cookie } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${enterprise.url}/apps/acme-slipway/installations/new`, 'installed on that server');
    const conversions = enterprise.callsTo('POST', /^\/app-manifests\/[^/]+\/conversions$/);
    assert.equal(conversions.length, 1);
    assert.equal(conversions[0]!.enterpriseApi, true, 'the code went to the server’s /api/v3');
    assert.equal(github.callsTo('POST', /^\/app-manifests\//).length, 0, 'the configured GitHub saw nothing');
    assert.equal(setup.configured.length, 1);
    assert.equal(setup.configured[0]!.githubUrl, enterprise.url);
    assert.equal(setup.configured[0]!.githubApiUrl, `${enterprise.url}/api/v3`);
    assert.equal(setup.configured[0]!.appId, enterprise.appId);
    const stored = readFileSync(join(setup.dataDir, 'github-app.env'), 'utf8');
    assert.match(stored, new RegExp(`^GITHUB_URL=${enterprise.url}$`, 'm'));
    assert.match(stored, new RegExp(`^GITHUB_API_URL=${enterprise.url}/api/v3$`, 'm'));
  });

  it('leaves the configured GitHub in place when the field is empty', async () => {
    const setup = await openSetup(github.url, github.url);
    const answer = await setup.submit({ enterprise_url: '' });
    assert.equal(answer.status, 200);
    const action = unescape(/<form method="post" action="([^"]+)"/.exec(await answer.text())![1]!);
    assert.equal(`${new URL(action).origin}${new URL(action).pathname}`, `${github.url}/settings/apps/new`);
  });

  it('refuses a URL that is not https, not a URL or not the server’s address, saying so on the form (kept filled in)', async () => {
    // The configured GitHub is https (github.com): plain http could not carry the App's private key.
    const setup = await openSetup('https://api.github.com');
    for (const [value, reason] of [
      ['http://github.example.com', /must be https/],
      ['ftp://github.example.com', /must start with https:\/\//],
      ['github example', /is not a URL/],
      ['https://github.example.com/some/path', /without a path/],
      ['https://user:secret@github.example.com', /no user name, password/],
      ['https://github.com', /leave it empty for github\.com/],
    ] as const) {
      const answer = await setup.submit({ enterprise_url: value });
      assert.equal(answer.status, 400, value);
      const page = await answer.text();
      const alert = /<div class="error" role="alert">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? '';
      assert.match(alert, /GitHub Enterprise Server URL:/, value);
      assert.match(alert, reason, value);
      assert.match(page, /id="enterprise_url" name="enterprise_url" value="[^"]+"/, 'the value is kept for correcting');
      assert.match(answer.headers.get('content-security-policy')!, /form-action 'self' https:\/\/github\.com;/);
    }
    // https is fine, with or without the /api/v3 people may paste.
    assert.deepEqual(enterpriseServer('https://github.example.com/api/v3/', 'https://api.github.com'), { githubUrl: 'https://github.example.com', githubApiUrl: 'https://github.example.com/api/v3' });
    assert.deepEqual(enterpriseServer('https://github.example.com:8443', 'https://api.github.com'), { githubUrl: 'https://github.example.com:8443', githubApiUrl: 'https://github.example.com:8443/api/v3' });
    // http only while the configured API is http itself (the loopback doubles).
    assert.ok('problem' in enterpriseServer('http://127.0.0.1:1', 'https://api.github.com'));
    assert.ok(!('problem' in enterpriseServer('http://127.0.0.1:1', 'http://127.0.0.1:2')));
  });
});
