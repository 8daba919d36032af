/**
 * Issue 18's figures, in process (app.request, no sockets), on the embedded store (PGlite) and, with
 * DATABASE_URL, on Postgres:
 *  - API read of one deployment (`GET /api/v1/deployments/{id}`: token check, the deployment, its
 *    history): p50 ≤ 2 ms;
 *  - listing 1,000 deployments (`GET /api/v1/deployments?limit=1000`): ≤ 20 ms;
 *  - `/metrics` with 1,000 apps' series (an environment each, with its latest deployment): ≤ 10 ms,
 *    measured both ways: reading the store at every scrape, and as the service runs it (the store's
 *    figures reused for 5 s: a scrape within 5 s of the last read renders them again only).
 * The embedded store is measured in process (the CLI's and the tests' mode) and in its own thread
 * (`slipway serve`'s).
 *
 *   node --import tsx bench/api.bench.ts [--reads 1000] [--lists 50] [--scrapes 50]
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createHttpApp } from '../src/http/app.ts';
import { createServiceMetrics } from '../src/ops/service-metrics.ts';
import type { Db } from '../src/store/db.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { apps, deploymentEvents, deployments, environments, installations, repositories } from '../src/store/schema.ts';
import { createToken } from '../src/tokens/create-token.ts';
import { createTestDatabase } from '../test/store/engines.ts';

const { values } = parseArgs({ options: { reads: { type: 'string', default: '1000' }, lists: { type: 'string', default: '50' }, scrapes: { type: 'string', default: '50' } } });
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** One repository with 1,000 apps, an environment each; app 1 has 1,000 deployments, every other app one. */
async function seed(db: Db): Promise<{ deploymentId: number }> {
  await db.insert(installations).values({ id: 1, accountLogin: 'acme' });
  await db.insert(repositories).values({ id: 1, installationId: 1, fullName: 'acme/platform' });
  const appRows = await db.insert(apps).values(Array.from({ length: 1000 }, (_, i) => ({ repositoryId: 1, name: `app-${i}` }))).returning({ id: apps.id });
  const envRows = await db.insert(environments).values(appRows.map((a) => ({ appId: a.id, name: 'production', kind: 'production' as const }))).returning({ id: environments.id, appId: environments.appId });
  const row = (appId: number, environmentId: number, i: number) => ({
    appId,
    environmentId,
    status: (i % 10 === 0 ? 'failed' : 'succeeded') as 'failed' | 'succeeded',
    commitSha: `${i}`.padStart(40, '0'),
    planSummary: { counts: { update: 2 }, changed: ['update aws_ecs_service.web', 'update aws_ecs_task_definition.web'] },
    monthlyCostUsd: 42.5,
    outputs: { web_url: { sensitive: false, value: 'https://web.example' } },
    startedAt: new Date(),
    finishedAt: new Date(),
  });
  const first = envRows[0]!;
  const many = await db.insert(deployments).values(Array.from({ length: 1000 }, (_, i) => row(first.appId, first.id, i))).returning({ id: deployments.id });
  await db.insert(deployments).values(envRows.slice(1).map((e, i) => row(e.appId, e.id, i + 1)));
  const id = many[many.length - 1]!.id;
  await db.insert(deploymentEvents).values(['queued', 'planning', 'planned', 'applying', 'succeeded'].map((status) => ({ deploymentId: id, status: status as 'queued', actor: 'bench' })));
  return { deploymentId: id };
}

async function measure(name: string, store: Store): Promise<void> {
  const { deploymentId } = await seed(store.db);
  const { token } = await createToken(store.db, { name: 'bench', role: 'read', repositories: ['acme/*'], createdBy: 'bench' });
  const metrics = createServiceMetrics({ db: store.db });
  const serviceMetrics = createServiceMetrics({ db: store.db, storeFiguresMaxAgeMs: 5_000 });
  const app = createHttpApp({ db: store.db, webhookSecret: 's', log: () => {}, metrics, apiRateLimit: 1_000_000 });
  const headers = { authorization: `Bearer ${token}` };
  const get = async (path: string) => {
    const res = await app.request(path, { headers });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  // The machine's load, in one figure: a store round trip that does nothing.
  const roundTrip = await time(Number(values.reads), async () => void (await store.db.execute(sql`select 1`)));
  const read = await time(Number(values.reads), () => get(`/api/v1/deployments/${deploymentId}`));
  const list = await time(Number(values.lists), () => get('/api/v1/deployments?limit=1000'));
  let series = 0;
  const scrape = await time(Number(values.scrapes), async () => {
    const { body } = await metrics.render();
    series = body.split('\n').filter((l) => l.startsWith('slipway_environment_deployment_status{')).length;
  });
  const reused = await time(Number(values.scrapes), async () => void (await serviceMetrics.render()));
  console.log(`${name}:`);
  console.log(`  store round trip (select 1) p50 ${ms(quantile(roundTrip, 0.5))}  (the load: a read is two of these, a list one, a scrape one)`);
  console.log(`  GET one deployment        p50 ${ms(quantile(read, 0.5))}  p99 ${ms(quantile(read, 0.99))}  (target p50 ≤ 2 ms; ${read.length} reads)`);
  console.log(`  list 1,000 deployments    p50 ${ms(quantile(list, 0.5))}  p99 ${ms(quantile(list, 0.99))}  (target ≤ 20 ms; ${list.length} lists)`);
  console.log(`  /metrics, ${series} environments  p50 ${ms(quantile(scrape, 0.5))}  p99 ${ms(quantile(scrape, 0.99))}  (target ≤ 10 ms; ${scrape.length} scrapes, each reading the store)`);
  console.log(`  /metrics, figures ≤ 5 s old  p50 ${ms(quantile(reused, 0.5))}  p99 ${ms(quantile(reused, 0.99))}  (the service's setting; ${reused.length} scrapes, one store read)`);
}

for (const thread of [false, true]) {
  const embedded = await openStore({ dataDir: 'memory://', thread });
  try {
    await measure(thread ? 'embedded store (PGlite, in its thread: slipway serve)' : 'embedded store (PGlite, in process)', embedded);
  } finally {
    await embedded.close();
  }
}
const url = process.env.DATABASE_URL?.trim();
if (url) {
  const created = await createTestDatabase(url);
  const store = await openStore({ databaseUrl: created.url });
  try {
    await measure('Postgres', store);
  } finally {
    await store.close();
    await created.drop();
  }
}
