/**
 * Dashboard figures (issue 19). Prints numbers; no asserts.
 *   node --import tsx bench/dashboard.bench.ts [--apps 1000] [--rounds 50]
 * With DATABASE_URL set, the store is Postgres (a database of its own, dropped after); otherwise
 * the embedded store (PGlite, in this process, as `slipway serve` keeps it in a thread).
 * The dashboard's home for an operator (API-token session: every repository) with N apps in 100
 * repositories, each with a production environment (a quarter also staging) and 5 deployments
 * per environment, the newest of some failed or planning:
 *   - server time: the request through the Hono app (`app.request`: query, render, gzip), p50 and
 *     p95 over the rounds after 5 warm-ups — target ≤ 50 ms;
 *   - page weight: the HTML as sent with `Accept-Encoding: gzip` (what a browser transfers) and
 *     uncompressed; the page has no images, scripts or style sheets besides it — target ≤ 150 KB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardRoutes } from '../src/dashboard/dashboard-routes.ts';
import { openStore } from '../src/store/open-store.ts';
import { apps, deploymentEvents, deployments, environments, installations, repositories } from '../src/store/schema.ts';
import { createTestDatabase } from '../test/store/engines.ts';
import { Hono } from 'hono';

const { values } = parseArgs({ options: { apps: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '50' } } });
const appCount = Number(values.apps);
const rounds = Number(values.rounds);
const token = 'bench-token';

const database = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-dashboard-bench-'));
const store = await openStore(database ? { databaseUrl: database.url } : { dataDir: join(dataDir, 'db') });
const db = store.db;

// Seed in bulk (the store's named queries insert one app at a time, as pushes do).
const seedStarted = performance.now();
await db.insert(installations).values({ id: 1, accountLogin: 'acme' });
await db.insert(repositories).values(Array.from({ length: 100 }, (_, i) => ({ id: 1000 + i, installationId: 1, fullName: `acme/service-${String(i).padStart(3, '0')}` })));
const appRows = await db
  .insert(apps)
  .values(Array.from({ length: appCount }, (_, i) => ({ repositoryId: 1000 + (i % 100), name: `app-${String(i).padStart(4, '0')}` })))
  .returning({ id: apps.id });
const envValues = appRows.flatMap((a, i) => [{ appId: a.id, name: 'production', kind: 'production' as const }, ...(i % 4 === 0 ? [{ appId: a.id, name: 'staging', kind: 'staging' as const }] : [])]);
const envRows = await db.insert(environments).values(envValues).returning({ id: environments.id, appId: environments.appId });
const statuses = ['succeeded', 'succeeded', 'succeeded', 'succeeded'] as const;
const newestStatuses = ['failed', 'planning', 'succeeded'] as const;
for (let start = 0; start < envRows.length; start += 200) {
  const batch = envRows.slice(start, start + 200).flatMap((env, j) => {
    const newest = newestStatuses[(start + j) % 10 === 0 ? 0 : (start + j) % 7 === 0 ? 1 : 2]!;
    return [...statuses, newest].map((status, k) => ({
      appId: env.appId,
      environmentId: env.id,
      status,
      commitSha: `${(start + j).toString(16).padStart(8, '0')}${k}`.padEnd(40, 'f'),
      monthlyCostUsd: 10 + ((start + j) % 90) + k,
      planSummary: { counts: { update: 1 }, changed: ['update aws_ecs_service.web'] },
    }));
  });
  const inserted = await db.insert(deployments).values(batch).returning({ id: deployments.id, status: deployments.status });
  await db.insert(deploymentEvents).values(inserted.map((d) => ({ deploymentId: d.id, status: d.status, actor: 'bench' })));
}
const seedMs = performance.now() - seedStarted;

const app = new Hono();
app.route('/dashboard', dashboardRoutes({ db, dataDir, githubUrl: 'https://github.com', githubApiUrl: 'https://api.github.com', apiToken: token }));
const signIn = await app.request('/dashboard/sign-in', { method: 'POST', body: new URLSearchParams({ token }), headers: { 'sec-fetch-site': 'same-origin' } });
const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
if (!cookie.startsWith('slipway_session=')) throw new Error(`sign-in failed: ${signIn.status}`);

// Wall time, and the CPU time this process spent on the request (the embedded database runs in
// it, so that is the database's work too): on a machine shared with other jobs the wall time
// grows with the load, the CPU time much less.
const request = async (encoding: string) => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const response = await app.request('/dashboard', { headers: { cookie, 'accept-encoding': encoding } });
  const body = new Uint8Array(await response.arrayBuffer());
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, bytes: body.byteLength, status: response.status, encoding: response.headers.get('content-encoding') };
};
for (let i = 0; i < 5; i++) await request('gzip');
const times: number[] = [];
const cpuTimes: number[] = [];
let sent = { bytes: 0, status: 0, encoding: null as string | null };
for (let i = 0; i < rounds; i++) {
  const r = await request('gzip');
  times.push(r.ms);
  cpuTimes.push(r.cpuMs);
  sent = r;
}
cpuTimes.sort((a, b) => a - b);
const raw = await request('identity');
if (process.env.BENCH_DETAIL) {
  const { appEnvironmentOverview } = await import('../src/store/app-environment-overview.ts');
  const { installationOverview } = await import('../src/store/installation-overview.ts');
  for (const [name, f] of [['overview query (a page of 200)', () => appEnvironmentOverview(db, { limit: 200 })], ['installations query', () => installationOverview(db)]] as const) {
    const t: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s0 = performance.now();
      await f();
      t.push(performance.now() - s0);
    }
    t.sort((a, b) => a - b);
    console.log(`${name}: p50 ${t[10]!.toFixed(1)} ms`);
  }
}
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;

console.log(`dashboard home, ${appCount} apps, ${envRows.length} environments, ${envRows.length * 5} deployments (${database ? 'Postgres' : 'PGlite, in process'}; seeded in ${Math.round(seedMs)} ms)`);
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared: figures are under load)`);
console.log(`server time (query + render + gzip), ${rounds} requests: p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms   (target ≤ 50 ms)`);
console.log(`  CPU time of this process per request${database ? ' (Postgres works in its own process: not counted)' : ' (the embedded database included)'}: p50 ${cpuTimes[Math.floor(cpuTimes.length / 2)]!.toFixed(1)} ms, p95 ${cpuTimes[Math.min(cpuTimes.length - 1, Math.floor(0.95 * cpuTimes.length))]!.toFixed(1)} ms`);
console.log(`page weight: ${(sent.bytes / 1024).toFixed(1)} KB sent (${sent.encoding ?? 'uncompressed'}), ${(raw.bytes / 1024).toFixed(1)} KB uncompressed; no images, scripts or style sheets besides the page   (target ≤ 150 KB)   status ${sent.status}`);

await store.close();
await database?.drop();
rmSync(dataDir, { recursive: true, force: true });
