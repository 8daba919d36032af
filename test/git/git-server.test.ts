// The loopback git server is a test double; these tests keep it honest.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGitCache } from '../../src/git/git-cache.ts';
import { GitError } from '../../src/git/git-error.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { runGit, startGitServer, type GitServer } from '../harness/git-server.ts';

describe('loopback git server', () => {
  let gh: GitHubDouble;
  let server: GitServer;
  let dir: string;

  before(async () => {
    gh = await startGitHubDouble();
    gh.addInstallation({ id: 3, account: 'acme', repositories: ['acme/web'] });
    gh.addInstallation({ id: 4, account: 'other', repositories: ['other/app'] });
    // Installation tokens from the GitHub double open exactly their installation's repositories.
    server = await startGitServer({ authorize: (token, repo) => gh.tokenCanRead(token, repo) });
    dir = await mkdtemp(join(tmpdir(), 'slipway-git-server-'));
  });
  after(async () => {
    await server.close();
    await gh.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves real git clients, with history built by TestRepo.commit', async () => {
    const repo = await server.createRepo('acme/web');
    const first = await repo.commit({ 'paas.yaml': 'name: web\n', 'old.txt': 'x' }, { message: 'first' });
    const second = await repo.commit({ 'old.txt': null, 'new.txt': 'y' });
    const token = gh.issueToken(3).token;
    const clone = join(dir, 'clone');
    await runGit(['clone', '--quiet', repo.cloneUrl.replace('http://', `http://x-access-token:${token}@`), clone], dir);
    assert.equal(await runGit(['rev-parse', 'HEAD'], clone), second);
    assert.equal(await runGit(['rev-parse', 'HEAD~1'], clone), first);
    assert.deepEqual((await runGit(['ls-files'], clone)).split('\n'), ['new.txt', 'paas.yaml']);
    assert.equal(await repo.headOf('nope'), null);
  });

  it('answers 401 to a missing token, a wrong one, and a token of another installation', async () => {
    await server.createRepo('other/app').then((r) => r.commit({ a: '1' }));
    const before = server.requests.length;
    const status = async (auth?: string) =>
      (await fetch(`${server.url}/acme/web.git/info/refs?service=git-upload-pack`, auth ? { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } } : {})).status;
    assert.equal(await status(), 401);
    assert.equal(await status('x-access-token:ghs_wrong'), 401);
    assert.equal(await status(`x-access-token:${gh.issueToken(4).token}`), 401);
    assert.equal(await status(`x-access-token:${gh.issueToken(3).token}`), 200);
    assert.deepEqual(server.requests.slice(before).map((r) => r.status), [401, 401, 401, 200]);
  });

  it('refuses an expired installation token, which the git cache reports as AUTH_FAILED', async () => {
    const web2 = await server.createRepo('acme/web3');
    gh.addInstallation({ id: 3, account: 'acme', repositories: ['acme/web', 'acme/web3'] });
    const sha = await web2.commit({ 'paas.yaml': 'v: 1\n' });
    gh.setTokenTtl(30);
    const token = gh.issueToken(3).token;
    gh.setTokenTtl(60 * 60 * 1000);
    await new Promise((r) => setTimeout(r, 40));
    const cache = createGitCache({ dir: join(dir, 'cache') });
    await assert.rejects(cache.fetchCommit({ repoKey: 'acme/web3', url: web2.cloneUrl, token, sha }), (e: unknown) => e instanceof GitError && e.code === 'AUTH_FAILED');
    await cache.fetchCommit({ repoKey: 'acme/web3', url: web2.cloneUrl, token: gh.issueToken(3).token, sha });
    assert.equal(await cache.hasCommit('acme/web3', sha), true);
  });
});
