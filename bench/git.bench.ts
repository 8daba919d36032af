// Git edge figures: cold fetch, incremental fetch, cached commit, readFiles and changedPaths,
// against the loopback git http-backend. Prints medians (ms) and bytes transferred.
// Run: node --import tsx bench/git.bench.ts [rounds]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitCache } from '../src/git/git-cache.ts';
import { startGitServer } from '../test/harness/git-server.ts';

const rounds = Number(process.argv[2] ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

const server = await startGitServer({ token: 'tok' });
const dir = await mkdtemp(join(tmpdir(), 'slipway-git-bench-'));
const repo = await server.createRepo('acme/monorepo');
// A repository of some size: 300 files over 30 apps, 30 of them paas.yaml, ~3 MB of source.
const files: Record<string, string> = {};
for (let app = 0; app < 30; app++) {
  files[`apps/app-${app}/paas.yaml`] = `name: app-${app}\nservices:\n  web:\n    image: ghcr.io/acme/app-${app}:1\n`;
  for (let f = 0; f < 9; f++) files[`apps/app-${app}/src/file-${f}.ts`] = randomBytes(5000).toString('base64');
}
let head = await repo.commit(files, { message: 'initial' });
for (let i = 0; i < 20; i++) head = await repo.commit({ [`apps/app-${i}/src/file-0.ts`]: randomBytes(5000).toString('base64') });

const bytes = () => server.requests.reduce((n, r) => n + r.bytesOut, 0);
const cold: number[] = [];
const coldBytes: number[] = [];
const incremental: number[] = [];
const incrementalBytes: number[] = [];
const cached: number[] = [];
const coldReads: number[] = [];
const reads: number[] = [];
const diffs: number[] = [];
for (let round = 0; round < rounds; round++) {
  const cache = createGitCache({ dir: join(dir, `r${round}`) });
  const before = bytes();
  cold.push(await time(() => cache.fetchCommit({ repoKey: 'acme/monorepo', url: repo.cloneUrl, token: 'tok', sha: head, ref: 'main' })));
  coldBytes.push(bytes() - before);
  coldReads.push(await time(() => cache.readFiles({ repoKey: 'acme/monorepo', sha: head, match: (p) => p.endsWith('paas.yaml'), maxBytes: 1 << 20 })));
  const previous = head;
  head = await repo.commit({ [`apps/app-${round % 30}/paas.yaml`]: `name: app-${round % 30}\nreplicas: ${round + 2}\n` });
  const mid = bytes();
  incremental.push(await time(() => cache.fetchCommit({ repoKey: 'acme/monorepo', url: repo.cloneUrl, token: 'tok', sha: head, ref: 'main' })));
  incrementalBytes.push(bytes() - mid);
  cached.push(await time(() => cache.fetchCommit({ repoKey: 'acme/monorepo', url: repo.cloneUrl, token: 'tok', sha: head, ref: 'main' })));
  reads.push(await time(() => cache.readFiles({ repoKey: 'acme/monorepo', sha: head, match: (p) => p.endsWith('paas.yaml'), maxBytes: 1 << 20 })));
  diffs.push(await time(() => cache.changedPaths({ repoKey: 'acme/monorepo', from: previous, to: head })));
}
console.log(`git edge, ${rounds} rounds, repository of ${Object.keys(files).length} files (medians)`);
console.log(`  cold fetch at a sha        ${median(cold).toFixed(1)} ms  ${median(coldBytes)} bytes`);
console.log(`  incremental fetch (1 file) ${median(incremental).toFixed(1)} ms  ${median(incrementalBytes)} bytes`);
console.log(`  commit already cached      ${median(cached).toFixed(2)} ms  0 requests`);
console.log(`  readFiles 30 paas.yaml, first read in the cache      ${median(coldReads).toFixed(1)} ms`);
console.log(`  readFiles 30 paas.yaml, next commit (trees memoized) ${median(reads).toFixed(1)} ms`);
console.log(`  changedPaths (1 change)    ${median(diffs).toFixed(2)} ms`);
await server.close();
await rm(dir, { recursive: true, force: true });
