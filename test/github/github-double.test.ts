// The GitHub double checks what GitHub checks; these tests keep it honest.
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { repositoryIdOf } from '../harness/payloads.ts';

function jwt(privateKeyPem: string, claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  const signature = createSign('RSA-SHA256').update(data).sign(privateKeyPem).toString('base64url');
  return `${data}.${signature}`;
}

describe('GitHub double', () => {
  let gh: GitHubDouble;
  const nowSec = () => Math.floor(Date.now() / 1000);
  const call = (method: string, path: string, auth?: string, body?: unknown) =>
    fetch(`${gh.url}${path}`, { method, headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  before(async () => {
    gh = await startGitHubDouble({ appId: 77 });
    gh.addInstallation({ id: 1, account: 'acme', repositories: ['acme/web'] });
    gh.addInstallation({ id: 2, account: 'other', repositories: ['other/app'], permissions: { metadata: 'read', issues: 'read' } });
  });
  after(() => gh.close());

  it('issues an installation token for a JWT signed with the app key, and refuses one signed with another key', async () => {
    const good = jwt(gh.privateKeyPem, { iat: nowSec() - 30, exp: nowSec() + 540, iss: 77 });
    const ok = await call('POST', '/app/installations/1/access_tokens', `Bearer ${good}`);
    assert.equal(ok.status, 201);
    const body = (await ok.json()) as { token: string; expires_at: string };
    assert.match(body.token, /^ghs_/);
    assert.ok(Date.parse(body.expires_at) > Date.now() + 50 * 60 * 1000);

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const forged = jwt(otherKey, { iat: nowSec() - 30, exp: nowSec() + 540, iss: 77 });
    assert.equal((await call('POST', '/app/installations/1/access_tokens', `Bearer ${forged}`)).status, 401);
  });

  it('refuses an expired JWT, one living over ten minutes, and one for another app', async () => {
    const expired = jwt(gh.privateKeyPem, { iat: nowSec() - 700, exp: nowSec() - 100, iss: 77 });
    const tooLong = jwt(gh.privateKeyPem, { iat: nowSec(), exp: nowSec() + 3600, iss: 77 });
    const otherApp = jwt(gh.privateKeyPem, { iat: nowSec(), exp: nowSec() + 60, iss: 78 });
    for (const token of [expired, tooLong, otherApp]) {
      assert.equal((await call('GET', '/app/installations/1', `Bearer ${token}`)).status, 401);
    }
    assert.equal((await call('GET', '/app/installations/1')).status, 401);
  });

  it('refuses expired and unknown installation tokens (401) and missing permissions (403)', async () => {
    const shortLived = gh.issueToken(1).token;
    assert.equal((await call('GET', '/repos/acme/web', `token ${shortLived}`)).status, 200);
    gh.tokens.get(shortLived)!.expiresAt = Date.now() - 1; // the hour has passed
    assert.equal((await call('GET', '/repos/acme/web', `token ${shortLived}`)).status, 401);
    assert.equal((await call('GET', '/repos/acme/web', 'token ghs_nope')).status, 401);

    const readOnly = gh.issueToken(2).token;
    assert.equal((await call('POST', '/repos/other/app/issues/1/comments', `token ${readOnly}`, { body: 'hi' })).status, 403);
    assert.equal((await call('GET', '/repos/acme/web', `token ${readOnly}`)).status, 404, 'another installation\'s repository is hidden');
  });

  it('injects faults a given number of times, then serves normally', async () => {
    const token = gh.issueToken(1).token;
    gh.injectFault({ path: /^\/repos\/acme\/web$/, status: 500, times: 2 });
    gh.injectFault({ method: 'GET', path: '/repos/acme/web', status: 403, retryAfter: 7 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('GET', '/repos/acme/web', `token ${token}`)).status);
    assert.deepEqual(statuses, [500, 500, 403, 200]);

    gh.injectFault({ path: '/repos/acme/web', status: 403 });
    const limited = await call('GET', '/repos/acme/web', `token ${token}`);
    assert.equal(limited.status, 403);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');

    gh.injectFault({ path: '/repos/acme/web', delayMs: 120 });
    const started = Date.now();
    assert.equal((await call('GET', '/repos/acme/web', `token ${token}`)).status, 200);
    assert.ok(Date.now() - started >= 100);
  });

  it('refuses more than 50 annotations in one check run request, as GitHub does', async () => {
    const token = gh.issueToken(1).token;
    const annotations = Array.from({ length: 51 }, (_, i) => ({ path: 'paas.yaml', start_line: i + 1, end_line: i + 1, annotation_level: 'warning', message: `m${i}` }));
    const body = { name: 'slipway', head_sha: 'a'.repeat(40), status: 'completed', conclusion: 'failure', output: { title: 't', summary: 's', annotations } };
    assert.equal((await call('POST', '/repos/acme/web/check-runs', `token ${token}`, body)).status, 422);
    body.output.annotations = annotations.slice(0, 50);
    assert.equal((await call('POST', '/repos/acme/web/check-runs', `token ${token}`, body)).status, 201);
  });

  it('pages comments with per_page and Link headers', async () => {
    const token = gh.issueToken(1).token;
    for (let i = 0; i < 5; i++) gh.seedComment('acme/web', 9, `c${i}`);
    const first = await call('GET', '/repos/acme/web/issues/9/comments?per_page=2', `token ${token}`);
    assert.equal(((await first.json()) as unknown[]).length, 2);
    assert.match(first.headers.get('link') ?? '', /page=2>; rel="next".*page=3>; rel="last"/);
    const last = await call('GET', '/repos/acme/web/issues/9/comments?per_page=2&page=3', `token ${token}`);
    assert.deepEqual(((await last.json()) as Array<{ body: string }>).map((c) => c.body), ['c4']);
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
  });

  it('lists an installation\'s repositories for its token, and the app\'s installations for the JWT', async () => {
    const token = gh.issueToken(1).token;
    const repos = (await (await call('GET', '/installation/repositories', `token ${token}`)).json()) as { total_count: number; repositories: Array<{ full_name: string }> };
    assert.deepEqual(repos.repositories.map((r) => r.full_name), ['acme/web']);
    const good = jwt(gh.privateKeyPem, { iat: nowSec() - 30, exp: nowSec() + 540, iss: 77 });
    const list = (await (await call('GET', '/app/installations', `Bearer ${good}`)).json()) as Array<{ id: number }>;
    assert.deepEqual(list.map((i) => i.id), [1, 2]);
    assert.equal((await call('GET', '/app/installations', `token ${token}`)).status, 401);
  });

  it('tells the App (its JWT only) which installation holds a repository, 404 for one it is not installed on, with the ids payloads carry', async () => {
    const good = jwt(gh.privateKeyPem, { iat: nowSec() - 30, exp: nowSec() + 540, iss: 77 });
    const held = await call('GET', '/repos/other/app/installation', `Bearer ${good}`);
    assert.equal(held.status, 200);
    assert.equal(((await held.json()) as { id: number }).id, 2);
    assert.equal((await call('GET', '/repos/nobody/app/installation', `Bearer ${good}`)).status, 404);
    assert.equal((await call('GET', '/repos/other/app/installation', `token ${gh.issueToken(2).token}`)).status, 401, 'an installation token cannot ask');
    const repo = (await (await call('GET', '/repos/acme/web', `token ${gh.issueToken(1).token}`)).json()) as { id: number };
    assert.equal(repo.id, repositoryIdOf('acme/web'));
  });

  it('refuses to pass review comments it cannot check against a diff, and 404s a review on an unknown PR', async () => {
    const token = gh.issueToken(1).token;
    const review = { event: 'COMMENT', body: 'x', comments: [{ path: 'paas.yaml', line: 3, side: 'RIGHT', body: 'x' }] };
    assert.equal((await call('POST', '/repos/acme/web/pulls/77/reviews', `token ${token}`, review)).status, 404);
    gh.addPullRequest({ repo: 'acme/web', number: 77, headSha: 'c'.repeat(40) });
    const unchecked = await call('POST', '/repos/acme/web/pulls/77/reviews', `token ${token}`, review);
    assert.equal(unchecked.status, 500);
    assert.match(((await unchecked.json()) as { message: string }).message, /cannot check review comment lines/);
    assert.equal((await call('POST', '/repos/acme/web/pulls/77/reviews', `token ${token}`, { event: 'COMMENT', body: 'no comments' })).status, 200, 'a review without comments needs no diff');
  });

  it('serves pull requests it was told about, with fork heads', async () => {
    const token = gh.issueToken(1).token;
    gh.addPullRequest({ repo: 'acme/web', number: 4, headSha: 'b'.repeat(40), headRepo: 'mallory/web' });
    const pr = (await (await call('GET', '/repos/acme/web/pulls/4', `token ${token}`)).json()) as { head: { sha: string; repo: { full_name: string; fork: boolean } }; base: { ref: string } };
    assert.equal(pr.head.sha, 'b'.repeat(40));
    assert.deepEqual([pr.head.repo.full_name, pr.head.repo.fork, pr.base.ref], ['mallory/web', true, 'main']);
    assert.equal((await call('GET', '/repos/acme/web/pulls/5', `token ${token}`)).status, 404);
  });
});
