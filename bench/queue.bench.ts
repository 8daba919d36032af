/**
 * Queue figures: batched enqueue rate (Postgres and PGlite), claim-to-start latency with idle
 * workers (LISTEN/NOTIFY wake-up), and throughput of 1 vs 2 workers for 5 ms jobs on Postgres.
 * Postgres figures need DATABASE_URL (a scratch database is created on that server and dropped).
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/queue.bench.ts
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { enqueue, enqueueMany } from '../src/jobs/enqueue.ts';
import { runWorker } from '../src/jobs/run-worker.ts';
import { openStore, type Store } from '../src/store/open-store.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
let kinds = 0;
const newKind = (name: string) => `${name}-${++kinds}`;

async function enqueueRate(store: Store, total: number, batch: number): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const kind = newKind('enqueue');
    const start = performance.now();
    for (let i = 0; i < total; i += batch) {
      await store.db.transaction((tx) =>
        enqueueMany(tx, Array.from({ length: batch }, (_, j) => ({ kind, payload: { i: i + j, sha: 'a'.repeat(40) } }))),
      );
    }
    rates.push(total / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

async function claimLatency(store: Store, samples: number): Promise<{ p50: number; p90: number }> {
  const kind = newKind('latency');
  let startedAt = 0;
  let started: () => void = () => {};
  const controller = new AbortController();
  const worker = runWorker({
    store,
    workerId: 'latency',
    pollMs: 5_000, // a pick-up faster than this is the NOTIFY wake-up
    leaseMs: 30_000,
    signal: controller.signal,
    handlers: {
      [kind]: async () => {
        startedAt = performance.now();
        started();
      },
    },
  });
  await sleep(200);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const running = new Promise<void>((resolve) => (started = resolve));
    await sleep(10); // the worker is idle again
    await enqueue(store.db, { kind });
    const committed = performance.now();
    await running;
    // From the enqueue's commit returning (the job is visible to other sessions just before the
    // reply to COMMIT is sent) to the handler starting in the worker.
    latencies.push(startedAt - committed);
  }
  controller.abort();
  await worker;
  return { p50: median(latencies), p90: quantile(latencies, 0.9) };
}

async function throughput(store: Store, workers: number, jobs: number, jobMs: number): Promise<number> {
  const kind = newKind('throughput');
  await enqueueMany(store.db, Array.from({ length: jobs }, () => ({ kind })));
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const controller = new AbortController();
  const start = performance.now();
  const loops = Array.from({ length: workers }, (_, i) =>
    runWorker({
      store,
      workerId: `tp-${i}`,
      pollMs: 100,
      leaseMs: 30_000,
      signal: controller.signal,
      handlers: {
        [kind]: async () => {
          await sleep(jobMs);
          if (++done === jobs) finished();
        },
      },
    }),
  );
  await all;
  const seconds = (performance.now() - start) / 1000;
  controller.abort();
  await Promise.all(loops);
  return jobs / seconds;
}

async function scratchDatabase(baseUrl: string) {
  const name = `slipway_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const baseUrl = process.env.DATABASE_URL?.trim();
if (baseUrl) {
  const db = await scratchDatabase(baseUrl);
  const store = await openStore({ databaseUrl: db.url });
  try {
    const rate = await enqueueRate(store, 20_000, 1_000);
    console.log(`postgres  enqueue (batches of 1,000, median of 3 runs): ${fmt(rate)} jobs/s   (target ≥ 5,000)`);
    const latency = await claimLatency(store, 200);
    console.log(`postgres  claim-to-start latency, idle worker: p50 ${fmt(latency.p50, 2)} ms, p90 ${fmt(latency.p90, 2)} ms   (target p50 ≤ 5)`);
    const runs1: number[] = [];
    const runs2: number[] = [];
    for (let run = 0; run < 3; run++) {
      runs1.push(await throughput(store, 1, 300, 5));
      runs2.push(await throughput(store, 2, 600, 5));
    }
    const [one, two] = [median(runs1), median(runs2)];
    console.log(
      `postgres  5 ms jobs: 1 worker ${fmt(one)} jobs/s, 2 workers ${fmt(two)} jobs/s = ${fmt(two / one, 2)}x (median of 3; target ≥ 1.6x)`,
    );
  } finally {
    await store.close();
    await db.drop();
  }
} else {
  console.log('postgres  left out: DATABASE_URL is not set');
}

{
  const store = await openStore({ dataDir: 'memory://' });
  try {
    const rate = await enqueueRate(store, 10_000, 1_000);
    console.log(`pglite    enqueue (batches of 1,000, median of 3 runs): ${fmt(rate)} jobs/s   (target ≥ 1,500)`);
    const latency = await claimLatency(store, 200);
    console.log(`pglite    claim-to-start latency, idle worker: p50 ${fmt(latency.p50, 2)} ms, p90 ${fmt(latency.p90, 2)} ms`);
  } finally {
    await store.close();
  }
}
