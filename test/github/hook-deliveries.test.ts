// The App's webhook deliveries through the GitHub double: cursor paging back to a time, a
// redelivery sent signed to the hook target, refusals as GitHubErrors; branch reads with ETags.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGitHubApp, GitHubError } from '../../src/github/index.ts';
import { listHookDeliveries, redeliverHookDelivery } from '../../src/github/list-hook-deliveries.ts';
import { readBranchHead } from '../../src/github/read-branch-head.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { signWebhook } from '../harness/sign-webhook.ts';

let gh: GitHubDouble;
before(async () => {
  gh = await startGitHubDouble({ resolveRef: (_repo, ref) => (ref === 'main' ? 'c'.repeat(40) : null) });
});
after(async () => {
  await gh.close();
});
const app = () => createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url, retryBaseMs: 1 });

describe('webhook deliveries', () => {
  it('lists every attempt back to a time across cursor pages, and stops paging once past it', async () => {
    const now = Date.now();
    for (let i = 0; i < 250; i++) gh.addHookDelivery({ event: 'push', payload: { n: i }, statusCode: i % 2 ? 502 : 202, deliveredAt: new Date(now - (250 - i) * 60_000) });
    const github = app();
    const all = await listHookDeliveries(github.appOctokit, { since: new Date(now - 300 * 60_000) });
    assert.equal(all.attempts.length, 250);
    assert.equal(all.requests, 3);
    assert.equal(new Set(all.attempts.map((a) => a.guid)).size, 250);
    const recent = await listHookDeliveries(github.appOctokit, { since: new Date(now - 50.5 * 60_000) });
    assert.equal(recent.attempts.length, 50);
    assert.equal(recent.requests, 1, 'the first page already reached past the time');
  });

  it('redelivers an attempt to the hook target, signed, under the same guid; refuses an old one with 422 and an unknown one with 404', async () => {
    const received: Array<{ guid: string; event: string; valid: boolean }> = [];
    const target = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({ guid: String(req.headers['x-github-delivery']), event: String(req.headers['x-github-event']), valid: req.headers['x-hub-signature-256'] === signWebhook('s3cret', body) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      gh.setHookTarget(`http://127.0.0.1:${(target.address() as AddressInfo).port}/`, 's3cret');
      const failed = gh.addHookDelivery({ event: 'push', payload: { after: 'x' }, statusCode: 500 });
      const github = app();
      await redeliverHookDelivery(github.appOctokit, failed.id);
      await gh.redeliveriesSettled();
      assert.deepEqual(received, [{ guid: failed.guid, event: 'push', valid: true }]);
      const attempts = gh.hookDeliveries.filter((d) => d.guid === failed.guid);
      assert.deepEqual(attempts.map((a) => [a.redelivery, a.status_code]), [[false, 500], [true, 202]]);

      const old = gh.addHookDelivery({ event: 'push', payload: {}, redeliverable: false });
      await assert.rejects(redeliverHookDelivery(github.appOctokit, old.id), (e: unknown) => e instanceof GitHubError && e.status === 422);
      await assert.rejects(redeliverHookDelivery(github.appOctokit, 987_654), (e: unknown) => e instanceof GitHubError && e.status === 404);
    } finally {
      target.close();
    }
  });
});

describe('readBranchHead', () => {
  it('answers 304 for an unchanged head with its ETag, costing no rate limit; a rate limit is a GitHubError marked rateLimited', async () => {
    gh.addInstallation({ id: 77, account: 'acme', repositories: ['acme/web'] });
    const github = app();
    const first = await readBranchHead(github, { installationId: 77, owner: 'acme', repo: 'web', branch: 'main' });
    assert.ok(first.modified && first.sha === 'c'.repeat(40) && first.etag);
    const remaining = gh.rateRemaining(77);
    const second = await readBranchHead(github, { installationId: 77, owner: 'acme', repo: 'web', branch: 'main', etag: first.etag });
    assert.equal(second.modified, false);
    assert.equal(second.rate?.remaining, remaining);
    assert.equal(gh.rateRemaining(77), remaining, 'a 304 costs nothing');
    gh.injectFault({ path: '/repos/acme/web/branches/main', status: 403, retryAfter: 30 });
    await assert.rejects(readBranchHead(github, { installationId: 77, owner: 'acme', repo: 'web', branch: 'main' }), (e: unknown) => e instanceof GitHubError && e.rateLimited && e.retryAfterSec === 30);
    await assert.rejects(readBranchHead(github, { installationId: 77, owner: 'acme', repo: 'web', branch: 'gone' }), (e: unknown) => e instanceof GitHubError && e.status === 404 && !e.rateLimited);
  });
});
