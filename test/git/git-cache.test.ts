import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGitCache, type GitCache } from '../../src/git/git-cache.ts';
import { GitError, type GitErrorCode } from '../../src/git/git-error.ts';
import { countPacks } from '../../src/git/repack.ts';
import { runGit, startGitServer, type GitServer, type TestRepo } from '../harness/git-server.ts';

const TOKEN = 'ghs_test_token_value';

function isGitError(code: GitErrorCode) {
  return (error: unknown) => {
    assert.ok(error instanceof GitError, `expected GitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('git cache against a real git http-backend', () => {
  let server: GitServer;
  let dir: string;
  let cache: GitCache;
  let repoCount = 0;
  const newRepo = () => server.createRepo(`acme/repo-${++repoCount}`);
  const fetchCommit = (repo: TestRepo, sha: string, ref?: string, c: GitCache = cache) =>
    c.fetchCommit({ repoKey: repo.fullName, url: repo.cloneUrl, token: TOKEN, sha, ...(ref ? { ref } : {}) });
  const bytesFetched = (repo: TestRepo) => server.requests.filter((r) => r.path.startsWith(`/${repo.fullName}.git/`)).reduce((n, r) => n + r.bytesOut, 0);
  const requestsTo = (repo: TestRepo) => server.requests.filter((r) => r.path.startsWith(`/${repo.fullName}.git/`)).length;

  before(async () => {
    server = await startGitServer({ token: TOKEN });
    dir = await mkdtemp(join(tmpdir(), 'slipway-git-cache-'));
    cache = createGitCache({ dir });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('fetches a repository at an exact commit and reads its files', async () => {
    const repo = await newRepo();
    const first = await repo.commit({ 'paas.yaml': 'name: web\n', 'apps/api/paas.yaml': 'name: api\n', 'README.md': '# hi\n' });
    await repo.commit({ 'paas.yaml': 'name: web2\n' });
    await fetchCommit(repo, first, 'main');
    const files = await cache.readFiles({ repoKey: repo.fullName, sha: first, match: (p) => p.endsWith('paas.yaml') });
    assert.deepEqual(Object.fromEntries(files), { 'apps/api/paas.yaml': 'name: api\n', 'paas.yaml': 'name: web\n' });
    assert.equal(await cache.readFile(repo.fullName, first, 'README.md'), '# hi\n');
    assert.equal(await cache.readFile(repo.fullName, first, 'apps/missing.yaml'), null);
    assert.equal(await cache.readFile(repo.fullName, first, 'apps'), null, 'a folder is not a file');
  });

  it('fetches incrementally: the second fetch transfers a fraction, a cached commit none', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'paas.yaml': 'name: web\n', 'assets/blob.txt': randomBytes(150_000).toString('base64') });
    await fetchCommit(repo, a, 'main');
    const firstBytes = bytesFetched(repo);
    const b = await repo.commit({ 'paas.yaml': 'name: web\nreplicas: 2\n' });
    await fetchCommit(repo, b, 'main');
    const secondBytes = bytesFetched(repo) - firstBytes;
    assert.ok(firstBytes > 150_000, `first fetch ${firstBytes} bytes`);
    assert.ok(secondBytes < firstBytes / 20, `second fetch ${secondBytes} bytes vs first ${firstBytes}`);
    const before = requestsTo(repo);
    await fetchCommit(repo, a, 'main');
    await fetchCommit(repo, b);
    assert.equal(requestsTo(repo), before, 'commits already cached need no request');
  });

  it('follows a force-push that rewrites history, and says clearly when a commit is gone', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'paas.yaml': 'v: 1\n' });
    const b = await repo.commit({ 'paas.yaml': 'v: 2\n', 'extra.txt': 'x' });
    await fetchCommit(repo, b, 'main');
    const c = await repo.commit({ 'paas.yaml': 'v: 3\n' }, { parent: a }); // main now a → c; b is off history
    assert.equal(await repo.headOf('main'), c);
    await fetchCommit(repo, c, 'main');
    assert.equal(await cache.readFile(repo.fullName, c, 'paas.yaml'), 'v: 3\n');
    assert.equal(await cache.isAncestor({ repoKey: repo.fullName, ancestor: a, commit: c }), true);
    assert.equal(await cache.isAncestor({ repoKey: repo.fullName, ancestor: b, commit: c }), false, 'b was rewritten away');
    assert.equal(await cache.isAncestor({ repoKey: repo.fullName, ancestor: c, commit: a }), false);
    assert.equal(await cache.isAncestor({ repoKey: repo.fullName, ancestor: 'f'.repeat(40), commit: c }), false);
    assert.deepEqual(await cache.changedPaths({ repoKey: repo.fullName, from: b, to: c }), ['extra.txt', 'paas.yaml']);

    // A fresh cache cannot get b any more: the server no longer has it on any ref.
    const fresh = createGitCache({ dir: join(dir, 'fresh') });
    await assert.rejects(fetchCommit(repo, b, 'main', fresh), (error: unknown) => {
      isGitError('SHA_NOT_FOUND')(error);
      assert.match((error as Error).message, new RegExp(`commit ${b} is not in`));
      return true;
    });
  });

  it('finds a commit whose branch was deleted only if another branch has it', async () => {
    const repo = await newRepo();
    const base = await repo.commit({ 'paas.yaml': 'v: 1\n' });
    const merged = await repo.commit({ 'a.txt': 'a' }, { branch: 'merged' });
    await repo.forcePush('main', merged);
    const lost = await repo.commit({ 'b.txt': 'b' }, { branch: 'doomed' });
    await repo.deleteBranch('merged');
    await repo.deleteBranch('doomed');
    await fetchCommit(repo, merged, 'merged');
    assert.equal(await cache.hasCommit(repo.fullName, base), true);
    await assert.rejects(fetchCommit(repo, lost, 'doomed'), isGitError('SHA_NOT_FOUND'));
  });

  it('fetches a pull request head through refs/pull/N/head, as for forks', async () => {
    const repo = await newRepo();
    await repo.commit({ 'paas.yaml': 'v: 1\n' });
    const forkHead = await repo.commit({ 'paas.yaml': 'v: fork\n' }, { branch: 'fork-tmp' });
    await repo.setRef('refs/pull/7/head', forkHead);
    await repo.deleteBranch('fork-tmp');
    await fetchCommit(repo, forkHead, 'refs/pull/7/head');
    assert.equal(await cache.readFile(repo.fullName, forkHead, 'paas.yaml'), 'v: fork\n');
  });

  it('lists changed paths: added, modified, deleted, nested; every file when from is null', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'paas.yaml': '1', 'apps/api/paas.yaml': '1', 'apps/api/src/x.ts': '1', 'apps/web/paas.yaml': '1', 'gone.txt': '1' });
    const b = await repo.commit({ 'apps/api/src/x.ts': '2', 'apps/new/paas.yaml': '1', 'gone.txt': null });
    await fetchCommit(repo, b, 'main');
    assert.deepEqual(await cache.changedPaths({ repoKey: repo.fullName, from: a, to: b }), ['apps/api/src/x.ts', 'apps/new/paas.yaml', 'gone.txt']);
    assert.deepEqual(await cache.changedPaths({ repoKey: repo.fullName, from: b, to: b }), []);
    assert.deepEqual(await cache.changedPaths({ repoKey: repo.fullName, from: null, to: b }), ['apps/api/paas.yaml', 'apps/api/src/x.ts', 'apps/new/paas.yaml', 'apps/web/paas.yaml', 'paas.yaml']);
    await assert.rejects(cache.changedPaths({ repoKey: repo.fullName, from: 'f'.repeat(40), to: b }), isGitError('SHA_NOT_FOUND'));
  });

  it('refuses a 10 MB paas.yaml with maxBytes, telling its size, while small files still read', async () => {
    const repo = await newRepo();
    const big = `name: web\n# ${'x'.repeat(10 * 1024 * 1024 - 13)}\n`;
    const sha = await repo.commit({ 'paas.yaml': big, 'apps/ok/paas.yaml': 'name: ok\n' });
    await fetchCommit(repo, sha, 'main');
    await assert.rejects(cache.readFiles({ repoKey: repo.fullName, sha, match: (p) => p.endsWith('paas.yaml'), maxBytes: 1024 * 1024 }), (error: unknown) => {
      isGitError('TOO_LARGE')(error);
      assert.equal((error as GitError).path, 'paas.yaml');
      assert.equal((error as GitError).size, big.length);
      return true;
    });
    await assert.rejects(cache.readFile(repo.fullName, sha, 'paas.yaml', { maxBytes: 1024 }), isGitError('TOO_LARGE'));
    const tooLarge: Array<[string, number]> = [];
    const rest = await cache.readFiles({ repoKey: repo.fullName, sha, match: (p) => p.endsWith('paas.yaml'), maxBytes: 1024, onTooLarge: (p, size) => tooLarge.push([p, size]) });
    assert.deepEqual([...rest.keys()], ['apps/ok/paas.yaml']);
    assert.deepEqual(tooLarge, [['paas.yaml', big.length]]);
    assert.equal(await cache.readFile(repo.fullName, sha, 'apps/ok/paas.yaml', { maxBytes: 1024 }), 'name: ok\n');
  });

  it('knows the size of a blob stored as a delta without reading it', async () => {
    const repo = await newRepo();
    const v1 = randomBytes(40_000).toString('hex');
    await repo.commit({ 'data.txt': v1 });
    const v2 = `${v1}\nmore`;
    const sha = await repo.commit({ 'data.txt': v2 });
    const fresh = createGitCache({ dir: join(dir, 'delta') });
    await fetchCommit(repo, sha, 'main', fresh);
    await assert.rejects(fresh.readFile(repo.fullName, sha, 'data.txt', { maxBytes: v2.length - 1 }), (e: unknown) => (e as GitError).size === v2.length);
    assert.equal((await fresh.readFile(repo.fullName, sha, 'data.txt', { maxBytes: v2.length }))?.length, v2.length);
  });

  it('needs the right token, says so clearly, and never stores it', async () => {
    const repo = await newRepo();
    const sha = await repo.commit({ 'paas.yaml': 'v: 1\n' });
    const wrong = (token?: string) => cache.fetchCommit({ repoKey: repo.fullName, url: repo.cloneUrl, sha, ref: 'main', ...(token ? { token } : {}) });
    await assert.rejects(wrong('ghs_wrong'), (error: unknown) => {
      isGitError('AUTH_FAILED')(error);
      assert.match((error as Error).message, /refused our credentials/);
      assert.doesNotMatch(inspect(error, { depth: 12 }), /ghs_wrong/, 'not in the error, its cause or anything it holds');
      return true;
    });
    await assert.rejects(wrong(), isGitError('AUTH_FAILED'));
    // Credentials in the URL are taken out of it before anything is stored.
    await cache.fetchCommit({ repoKey: repo.fullName, url: repo.cloneUrl.replace('http://', `http://x-access-token:${TOKEN}@`), sha, ref: 'main' });
    const config = await readFile(join(cache.gitdirOf(repo.fullName), 'config'), 'utf8');
    assert.match(config, /url = http:\/\/127\.0\.0\.1:\d+\/acme\/repo-\d+\.git/);
    assert.doesNotMatch(config, new RegExp(TOKEN));
  });

  it('reports a missing repository and a bad repository key', async () => {
    await assert.rejects(cache.fetchCommit({ repoKey: 'acme/nope', url: `${server.url}/acme/nope.git`, token: TOKEN, sha: 'a'.repeat(40) }), isGitError('REPO_NOT_FOUND'));
    await assert.rejects(cache.fetchCommit({ repoKey: '../escape', url: `${server.url}/acme/nope.git`, token: TOKEN, sha: 'a'.repeat(40) }), isGitError('BAD_REPO_KEY'));
  });

  it('keeps the cache sound when fetches and reads of one repository run at once (git fsck agrees)', async () => {
    const repo = await newRepo();
    const shas: string[] = [await repo.commit({ 'paas.yaml': 'v: 0\n' })];
    for (let i = 0; i < 2; i++) shas.push(await repo.commit({ [`f${i}.txt`]: randomBytes(2000).toString('hex') }, { branch: `b${i}`, parent: shas[0]! }));
    const fresh = createGitCache({ dir: join(dir, 'concurrent') });
    const refs = ['main', 'b0', 'b1'];
    await Promise.all([...shas.map((sha, i) => fetchCommit(repo, sha, refs[i], fresh)), ...shas.map((sha, i) => fetchCommit(repo, sha, refs[i], fresh))]);
    const reads = await Promise.all(shas.map((sha) => fresh.readFiles({ repoKey: repo.fullName, sha, match: () => true })));
    assert.deepEqual(reads.map((m) => m.size), [1, 2, 2]);
    await runGit(['fsck', '--strict', '--no-dangling'], fresh.gitdirOf(repo.fullName));
  });

  it('gives up on a git server that stops answering, with FETCH_FAILED', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/acme/hang.git`;
    const impatient = createGitCache({ dir: join(dir, 'hang'), timeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(impatient.fetchCommit({ repoKey: 'acme/hang', url, token: TOKEN, sha: 'a'.repeat(40) }), (error: unknown) => {
      isGitError('FETCH_FAILED')(error);
      assert.match((error as Error).message, /timed out/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    silent.closeAllConnections();
    silent.close();
  });

  it('compacts packs once fetches leave more than maxPacks, keeping every commit (a force-push orphan too)', async () => {
    const repo = await newRepo();
    const logs: string[] = [];
    const compacting = createGitCache({ dir: join(dir, 'compact'), maxPacks: 3, log: { debug: (m) => logs.push(m), warn: (m) => logs.push(m) } });
    const packs = () => countPacks(compacting.gitdirOf(repo.fullName));
    const shas: string[] = [];
    shas.push(await repo.commit({ 'paas.yaml': 'name: web\n', 'README.md': '# 0\n' }));
    await fetchCommit(repo, shas[0]!, 'main', compacting);
    // A commit only a later force-push will orphan.
    const orphan = await repo.commit({ 'paas.yaml': 'name: orphan\n' });
    await fetchCommit(repo, orphan, 'main', compacting);
    await repo.forcePush('main', shas[0]!);
    shas.push(await repo.commit({ 'README.md': '# 1\n' }));
    await fetchCommit(repo, shas[1]!, 'main', compacting);
    assert.equal(packs(), 3, 'one pack per fetch');
    assert.ok(!logs.some((m) => /compacted/.test(m)), 'no compaction at the bound');
    shas.push(await repo.commit({ 'README.md': '# 2\n' }));
    await fetchCommit(repo, shas[2]!, 'main', compacting); // the 4th pack: compaction follows
    await compacting.idle();
    assert.equal(packs(), 1);
    assert.ok(logs.some((m) => /compacted 4 packs .* into one/.test(m)), logs.join('\n'));
    for (const [i, sha] of shas.entries()) assert.equal(await compacting.readFile(repo.fullName, sha, 'README.md'), `# ${i}\n`);
    assert.equal(await compacting.readFile(repo.fullName, orphan, 'paas.yaml'), 'name: orphan\n', 'unreachable objects are kept');
    assert.equal(await compacting.isAncestor({ repoKey: repo.fullName, ancestor: shas[0]!, commit: shas[2]! }), true);
    // Fetching goes on incrementally into the compacted cache.
    const after = await repo.commit({ 'README.md': '# after\n' });
    await fetchCommit(repo, after, 'main', compacting);
    assert.equal(packs(), 2);
    assert.equal(await compacting.readFile(repo.fullName, after, 'README.md'), '# after\n');
  });

  it('without git on the PATH, leaves the packs as they are and says so once', async () => {
    const repo = await newRepo();
    const warnings: string[] = [];
    const noGit = createGitCache({ dir: join(dir, 'no-git'), maxPacks: 1, gitBinary: 'git-not-installed-here', log: { debug() {}, warn: (m) => warnings.push(m) } });
    for (let i = 0; i < 3; i++) {
      const sha = await repo.commit({ 'README.md': `# ${i}\n` });
      await fetchCommit(repo, sha, 'main', noGit);
      await noGit.idle();
      assert.equal(await noGit.readFile(repo.fullName, sha, 'README.md'), `# ${i}\n`);
    }
    assert.equal(countPacks(noGit.gitdirOf(repo.fullName)), 3);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /git-not-installed-here is not on the PATH, so packs are not compacted/);
  });
});
