/**
 * Reconcile tick figures: one tick over 1,000 apps (one per repository) in 50 installations, the
 * GitHub double answering 304 for every unchanged head — wall time and GitHub requests per tick —
 * and memory over 100 ticks (RSS after tick 100 against after tick 10). The double runs in this
 * process on loopback, so its own work is counted in the wall time; the store is embedded PGlite
 * (in memory), or Postgres with DATABASE_URL (a scratch database is created and dropped).
 *   node --expose-gc --import tsx bench/reconcile.bench.ts [--ticks 100] [--repos 1000] [--installations 50]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeps } from '../src/deps.ts';
import { reconcileTick } from '../src/reconcile/reconcile-tick.ts';
import { defaultReconcileSettings } from '../src/settings/reconcile-settings.ts';
import { defaultRunnerSettings } from '../src/settings/runner-settings.ts';
import { getOrCreateApp } from '../src/store/apps.ts';
import { getOrCreateEnvironment } from '../src/store/environments.ts';
import { upsertInstallation } from '../src/store/installations.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { upsertRepositories } from '../src/store/repositories.ts';
import { saveHeads } from '../src/store/repository-heads.ts';
import { startGitHubDouble } from '../test/harness/github-double.ts';
import { createTestDatabase, openTestPglite } from '../test/store/engines.ts';

const { values } = parseArgs({ options: { ticks: { type: 'string', default: '100' }, repos: { type: 'string', default: '1000' }, installations: { type: 'string', default: '50' } } });
const ticks = Number(values.ticks);
const repoCount = Number(values.repos);
const installationCount = Number(values.installations);

const shaOf = (repo: string) => createHash('sha1').update(repo).digest('hex');
const github = await startGitHubDouble({ resolveRef: (repo) => shaOf(repo) });
const database = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
const store: Store = database ? await openStore({ databaseUrl: database.url }) : await openTestPglite();
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-reconcile-bench-'));

// 50 installations, 20 repositories each, one app with a production environment per repository;
// the heads were read before (the last tick's view), without ETags yet.
const perInstallation = Math.ceil(repoCount / installationCount);
let repoId = 1;
for (let i = 0; i < installationCount; i++) {
  const installationId = 10_000 + i;
  const names = Array.from({ length: perInstallation }, (_, j) => `org${i}/app${j}`).slice(0, Math.max(0, repoCount - i * perInstallation));
  github.addInstallation({ id: installationId, account: `org${i}`, repositories: names });
  await upsertInstallation(store.db, { id: installationId, accountLogin: `org${i}` });
  const rows = names.map((fullName) => ({ id: repoId++, fullName, defaultBranch: 'main' }));
  await upsertRepositories(store.db, installationId, rows);
  for (const row of rows) {
    const app = await getOrCreateApp(store.db, { repositoryId: row.id, name: row.fullName.split('/')[1]! });
    await getOrCreateEnvironment(store.db, { appId: app.id, name: 'production' });
  }
  await saveHeads(store.db, rows.map((r) => ({ repositoryId: r.id, branch: 'main', sha: shaOf(r.fullName), etag: null, problem: null })));
}

const deps = buildDeps(
  {
    appId: github.appId,
    privateKey: github.privateKeyPem,
    webhookSecret: 'bench',
    githubApiUrl: github.url,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    role: 'all',
    workers: 1,
    runner: defaultRunnerSettings,
    reconcile: defaultReconcileSettings,
    ...(database ? { databaseUrl: database.url } : {}),
  },
  store,
  { log: () => {} },
);

async function timedTick() {
  // The double records every call; in this process its list would grow by 1,000 a tick and count
  // against Slipway's memory: it is emptied before each tick.
  github.calls.length = 0;
  const start = performance.now();
  const summary = await reconcileTick(deps);
  return { ms: performance.now() - start, requests: github.calls.length, summary };
}
const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  gc?.(); // with --expose-gc: what is still referenced, not what the collector has yet to free
  return process.memoryUsage();
};

// Warm-up: tokens for 50 installations, every head read once (200 with an ETag), nothing enqueued.
const warm = await timedTick();
console.log(`warm-up tick: ${warm.ms.toFixed(0)} ms, ${warm.requests} GitHub requests (${warm.summary.polled} heads read, ${warm.summary.enqueued} enqueued, ${warm.summary.problems.length} problems)`);
const walls: number[] = [];
const requests: number[] = [];
let rssAt10 = 0;
let rssAtEnd = 0;
let heapAt10 = 0;
let heapAtEnd = 0;
for (let t = 1; t <= ticks; t++) {
  const r = await timedTick();
  walls.push(r.ms);
  requests.push(r.requests);
  if (t === 1) console.log(`tick 1: ${r.ms.toFixed(0)} ms (${Object.entries(r.summary.ms ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}), ${r.requests} GitHub requests, ${r.summary.notModified} of ${r.summary.polled} heads answered 304, ${r.summary.enqueued} enqueued, ${r.summary.problems.length} problems`);
  if (t === 10) ({ rss: rssAt10, heapUsed: heapAt10 } = memory());
  if (t === ticks) ({ rss: rssAtEnd, heapUsed: heapAtEnd } = memory());
}
const sorted = [...walls].sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`${ticks} ticks over ${repoCount} apps in ${installationCount} installations (${database ? 'Postgres' : 'PGlite'}): wall p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; GitHub requests per tick max ${Math.max(...requests)}`);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const change = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
if (ticks >= 10) console.log(`RSS after tick 10: ${mib(rssAt10)}, after tick ${ticks}: ${mib(rssAtEnd)} (${change(rssAt10, rssAtEnd)}); heap used ${mib(heapAt10)} → ${mib(heapAtEnd)} (${change(heapAt10, heapAtEnd)})${gc ? ', after a full GC' : ' (run with --expose-gc to measure after a full GC)'}`);

deps.close();
await store.close();
await database?.drop();
await github.close();
rmSync(dataDir, { recursive: true, force: true });
