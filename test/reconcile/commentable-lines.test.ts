import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGitCache, type GitCache } from '../../src/git/index.ts';
import { commentableLines } from '../../src/reconcile/commentable-lines.ts';
import { gitFileDiff } from '../harness/git-diff-hunks.ts';
import { runGit, startGitServer, type GitServer, type TestRepo } from '../harness/git-server.ts';

const yaml = (overrides: Record<number, string> = {}) => Array.from({ length: 40 }, (_, i) => overrides[i + 1] ?? `key${i + 1}: ${i + 1}`).join('\n') + '\n';

describe('commentableLines: the lines of a PR review comments may sit on, from the git cache', () => {
  let server: GitServer;
  let dir: string;
  let cache: GitCache;
  let count = 0;
  before(async () => {
    server = await startGitServer();
    dir = await mkdtemp(join(tmpdir(), 'slipway-commentable-'));
    cache = createGitCache({ dir });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  const fetchAll = async (repo: TestRepo, ...shas: string[]) => {
    for (const sha of shas) await cache.fetchCommit({ repoKey: repo.fullName, url: repo.cloneUrl, sha });
  };
  /** Right-side lines of git's own `base...head` hunks, as ranges. */
  const gitRanges = async (repo: TestRepo, base: string, head: string, path: string) =>
    (await gitFileDiff(repo.bareDir, base, head, path)).hunks.map((h) => ({ start: h.newStart, end: h.newStart + h.newLines - 1 }));

  it('diffs from the merge base (base...head): changes made on the base branch since the PR branched are not the PR\'s', async () => {
    const repo = await server.createRepo(`acme/commentable-${++count}`);
    const branchPoint = await repo.commit({ 'paas.yaml': yaml(), 'apps/api/paas.yaml': yaml() });
    const head = await repo.commit({ 'paas.yaml': yaml({ 10: 'cpu: 2' }) }, { branch: 'feature', parent: branchPoint });
    // main moves on after the branch point, at the other end of the same file and in another file.
    const base = await repo.commit({ 'paas.yaml': yaml({ 35: 'memory: 1Gi' }), 'apps/api/paas.yaml': yaml({ 3: 'x: y' }) });
    await fetchAll(repo, head, base);
    const lines = await commentableLines(cache, { repoKey: repo.fullName, baseSha: base, headSha: head, paths: ['paas.yaml', 'apps/api/paas.yaml'] });
    assert.deepEqual(lines?.get('paas.yaml'), [{ start: 7, end: 13 }]);
    assert.deepEqual(lines?.get('paas.yaml'), await gitRanges(repo, base, head, 'paas.yaml'));
    assert.deepEqual(lines?.get('apps/api/paas.yaml'), [], 'a file the PR does not change has no commentable line');
    assert.deepEqual(await gitRanges(repo, base, head, 'apps/api/paas.yaml'), []);
  });

  it('covers a paas.yaml the PR adds, whole; and knows no line when base and head share no history', async () => {
    const repo = await server.createRepo(`acme/commentable-${++count}`);
    const base = await repo.commit({ 'README.md': '# hi\n' });
    const head = await repo.commit({ 'paas.yaml': yaml() }, { branch: 'feature', parent: base });
    // A root commit with head's files: no history in common with base.
    const orphan = await runGit(['commit-tree', `${head}^{tree}`, '-m', 'unrelated'], repo.bareDir);
    await repo.setRef('refs/heads/orphan', orphan);
    await fetchAll(repo, base, head, orphan);
    const lines = await commentableLines(cache, { repoKey: repo.fullName, baseSha: base, headSha: head, paths: ['paas.yaml'] });
    assert.deepEqual(lines?.get('paas.yaml'), [{ start: 1, end: 40 }]);
    assert.deepEqual(lines?.get('paas.yaml'), await gitRanges(repo, base, head, 'paas.yaml'));
    assert.equal(await commentableLines(cache, { repoKey: repo.fullName, baseSha: base, headSha: orphan, paths: ['paas.yaml'] }), null);
  });
});
