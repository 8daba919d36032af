import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createGitHubApp } from '../../src/github/app-auth.ts';
import { GitHubError, withGitHubErrors } from '../../src/github/github-error.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';

describe('GitHub App auth against the GitHub double', () => {
  let gh: GitHubDouble;
  const app = (extra: Partial<Parameters<typeof createGitHubApp>[0]> = {}) =>
    createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url, retryBaseMs: 5, ...extra });
  const tokenCalls = () => gh.callsTo('POST', /^\/app\/installations\/\d+\/access_tokens$/);

  before(async () => {
    gh = await startGitHubDouble();
    gh.addInstallation({ id: 11, account: 'acme', repositories: ['acme/web', 'acme/api'] });
  });
  beforeEach(() => gh.reset());
  after(() => gh.close());

  it('gets an installation token with a JWT GitHub accepts, and reuses it for several operations', async () => {
    const github = app();
    const octokit = await github.octokit(11);
    const [a, b] = await Promise.all([octokit.rest.repos.get({ owner: 'acme', repo: 'web' }), octokit.rest.repos.get({ owner: 'acme', repo: 'api' })]);
    await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    assert.equal(a.data.default_branch, 'main');
    assert.equal(b.data.full_name, 'acme/api');
    assert.equal(tokenCalls().length, 1);
    assert.equal(tokenCalls()[0]!.status, 201);
    const { token } = await github.installationToken(11);
    assert.ok(gh.tokens.has(token));
    assert.ok(gh.calls.filter((c) => c.path.startsWith('/repos/')).every((c) => c.token === token && c.auth === 'installation'));
  });

  it('asks for a fresh token when the cached one is close to expiry', async () => {
    let clock = Date.now();
    const github = app({ now: () => clock });
    const first = await github.installationToken(11);
    assert.equal((await github.installationToken(11)).token, first.token);
    clock += 56 * 60 * 1000; // 4 minutes left of the hour: inside the 5-minute margin
    const second = await github.installationToken(11);
    assert.notEqual(second.token, first.token);
    assert.equal(tokenCalls().length, 2);
  });

  it('replaces a token GitHub no longer accepts and retries the request once', async () => {
    const github = app();
    const octokit = await github.octokit(11);
    gh.tokens.clear(); // revoked on GitHub's side
    const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    assert.equal(data.full_name, 'acme/web');
    assert.equal(tokenCalls().length, 2);
  });

  it('fails clearly when the JWT is signed with the wrong key', async () => {
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const github = app({ privateKey: wrongKey });
    await assert.rejects(github.installationToken(11), (error: unknown) => {
      assert.ok(error instanceof GitHubError);
      assert.equal(error.status, 401);
      assert.match(error.message, /installation token for installation 11/);
      return true;
    });
  });

  it('fails with 404 for an installation the app does not have', async () => {
    await assert.rejects(app().installationToken(999), (error: unknown) => error instanceof GitHubError && error.status === 404);
  });

  it('retries a 500 and succeeds', async () => {
    const octokit = await app().octokit(11);
    gh.injectFault({ method: 'GET', path: '/repos/acme/web', status: 500, times: 2 });
    const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    assert.equal(data.full_name, 'acme/web');
    assert.deepEqual(gh.callsTo('GET', '/repos/acme/web').map((c) => c.status), [500, 500, 200]);
  });

  it('retries a 500 on the token request itself', async () => {
    gh.injectFault({ path: /access_tokens$/, status: 502 });
    const { token } = await app().installationToken(11);
    assert.match(token, /^ghs_/);
    assert.deepEqual(tokenCalls().map((c) => c.status), [502, 201]);
  });

  it('honours a secondary rate limit retry-after, then succeeds', async () => {
    const octokit = await app({ retryBaseMs: 20 }).octokit(11);
    gh.injectFault({ method: 'GET', path: '/repos/acme/web', status: 403, retryAfter: 3 });
    const started = Date.now();
    await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    assert.ok(Date.now() - started >= 55, 'waited retry-after (3 × 20 ms)');
    assert.deepEqual(gh.callsTo('GET', '/repos/acme/web').map((c) => c.status), [403, 200]);
  });

  it('retries a primary rate limit (x-ratelimit-remaining: 0) at most twice, then fails as rate-limited', async () => {
    const octokit = await app({ retryBaseMs: 1 }).octokit(11);
    gh.injectFault({ method: 'GET', path: '/repos/acme/web', status: 403, times: 5 });
    await assert.rejects(withGitHubErrors('reading', () => octokit.rest.repos.get({ owner: 'acme', repo: 'web' })), (error: unknown) => {
      assert.ok(error instanceof GitHubError);
      assert.equal(error.status, 403);
      assert.equal(error.rateLimited, true);
      return true;
    });
    assert.equal(gh.callsTo('GET', '/repos/acme/web').length, 3);
  });

  it('does not retry a 403 that is a missing permission', async () => {
    gh.addInstallation({ id: 12, account: 'ro', repositories: ['ro/app'], permissions: { metadata: 'read', checks: 'read' } });
    const octokit = await app().octokit(12);
    await assert.rejects(octokit.rest.checks.create({ owner: 'ro', repo: 'app', name: 'x', head_sha: 'a'.repeat(40) }), (e: unknown) => (e as { status?: number }).status === 403);
    assert.equal(gh.callsTo('POST', '/repos/ro/app/check-runs').length, 1);
  });

  it('gives up on a slow answer after the request timeout', async () => {
    const octokit = await app({ requestTimeoutMs: 100, serverErrorRetries: 0 }).octokit(11);
    gh.injectFault({ method: 'GET', path: '/repos/acme/web', delayMs: 1000 });
    const started = Date.now();
    await assert.rejects(octokit.rest.repos.get({ owner: 'acme', repo: 'web' }));
    assert.ok(Date.now() - started < 800, 'aborted long before the answer');
  });

  it('speaks to the app endpoints with the JWT', async () => {
    const github = app();
    const { data } = await github.appOctokit.rest.apps.getRepoInstallation({ owner: 'acme', repo: 'web' });
    assert.equal(data.id, 11);
    assert.equal(gh.calls.at(-1)!.auth, 'jwt');
  });
});
