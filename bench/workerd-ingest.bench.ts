/**
 * Issue 18: the Workers entry in workerd (test/harness/workerd.ts: the entry bundled as wrangler
 * would, wrangler.toml's compatibility settings) against a local Postgres standing in for
 * Hyperdrive: a signed 7 KB push, verified and stored with its job, one request after another.
 * Each request opens its own Postgres connection (Workers cannot share one across requests; with
 * Hyperdrive that connection is pooled near the database), so the figure includes a connection.
 * Needs DATABASE_URL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/workerd-ingest.bench.ts [--requests 300]
 */
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/open-store.ts';
import { webhookHeaders } from '../test/harness/sign-webhook.ts';
import { startWorkerd } from '../test/harness/workerd.ts';
import { createTestDatabase } from '../test/store/engines.ts';
import { push7kb } from './push-7kb.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '300' } } });
const url = process.env.DATABASE_URL?.trim();
if (!url) {
  console.error('bench/workerd-ingest.bench.ts: set DATABASE_URL to a Postgres server (e.g. postgres://postgres@127.0.0.1:5432/test)');
  process.exit(2);
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const secret = 'bench-secret';

const created = await createTestDatabase(url);
const store = await openStore({ databaseUrl: created.url }); // migrations, as `slipway migrate` would
const workerd = await startWorkerd({ databaseUrl: created.url, webhookSecret: secret });
try {
  const body = JSON.stringify(push7kb());
  const send = async () => {
    const res = await fetch(`${workerd.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, 'push', body) });
    if (res.status !== 202) throw new Error(`${res.status} ${await res.text()}\n${workerd.log()}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 20; i++) await send(); // warm up
  const times: number[] = [];
  const n = Number(values.requests);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await send();
    times.push(performance.now() - t);
  }
  console.log(`workerd, signed ${Buffer.byteLength(body)} B push → verify + store (delivery and job) in Postgres, ${n} requests one after another:`);
  console.log(`  p50 ${quantile(times, 0.5).toFixed(2)} ms  p90 ${quantile(times, 0.9).toFixed(2)} ms  p99 ${quantile(times, 0.99).toFixed(2)} ms`);
} finally {
  await workerd.stop();
  await store.close();
  await created.drop();
}
