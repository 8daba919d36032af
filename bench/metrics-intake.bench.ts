/**
 * Issue 13, rows 6 and 12: 200,000-sample metric posts to a real `slipway serve` (its own process,
 * embedded PGlite in a store thread, as `npm start` runs it), one after another, while this process
 * sends `/healthz` requests and signed webhook deliveries back to back and reads the service's RSS
 * from /proc. Targets: each post ≤ 2 s; webhook answers not held (p99 during the posts near the
 * idle p99); RSS ≤ 400 MB during the posts.
 *
 *   node --import tsx bench/metrics-intake.bench.ts [--posts 3] [--samples 200000]
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { upsertInstallation } from '../src/store/installations.ts';
import { openStore } from '../src/store/open-store.ts';
import { upsertRepositories } from '../src/store/repositories.ts';
import { webhookHeaders } from '../test/harness/sign-webhook.ts';
import { npmStartEnv, npmStartNodeFlags } from './npm-start.ts';

const { values } = parseArgs({ options: { posts: { type: 'string', default: '3' }, samples: { type: 'string', default: '200000' } } });
const posts = Number(values.posts);
const samples = Number(values.samples);
const secret = 'bench-secret';
const token = 'bench-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }); // measure the bundle `npm ci` builds
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-metrics-bench-'));
// The repository the samples are for, as the service would have recorded it from GitHub.
const seed = await openStore({ dataDir: join(dataDir, 'db') });
await upsertInstallation(seed.db, { id: 1, accountLogin: 'acme' });
await upsertRepositories(seed.db, 1, [{ id: 10, fullName: 'acme/shop' }]);
await seed.close();

const env = {
  PATH: process.env.PATH,
  ...npmStartEnv,
  APP_ID: '1',
  PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  WEBHOOK_SECRET: secret,
  GITHUB_API_URL: 'http://127.0.0.1:9',
  SLIPWAY_DATA_DIR: dataDir,
  SLIPWAY_API_TOKEN: token,
  SLIPWAY_ROLE: 'all',
  PORT: '0',
  HOST: '127.0.0.1',
};
const child = spawn(process.execPath, [...npmStartNodeFlags, 'bin/slipway.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
let url = '';
for (;;) {
  if (child.exitCode !== null) throw new Error(`slipway serve exited (${child.exitCode}):\n${stderr}`);
  url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? '';
  if (url && (await fetch(`${url}/readyz`).catch(() => undefined))?.ok) break;
  await sleep(5);
}
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;

/** Back-to-back `/healthz` and signed `ping` deliveries until `done`, with the RSS peak. */
async function probe(done: () => boolean) {
  const health: number[] = [];
  const webhooks: number[] = [];
  let peak = rssMb();
  const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
  while (!done()) {
    let started = performance.now();
    await (await fetch(`${url}/healthz`)).text();
    health.push(performance.now() - started);
    started = performance.now();
    const res = await fetch(`${url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, 'ping', body) });
    await res.text();
    if (res.status >= 300) throw new Error(`webhook answered ${res.status}`);
    webhooks.push(performance.now() - started);
    peak = Math.max(peak, rssMb());
  }
  return { health, webhooks, peak };
}

function body(post: number): string {
  const start = Date.now() - (post + 1) * samples * 60_000;
  const points = Array.from({ length: samples }, (_, i) => [start + i * 60_000, 20 + 10 * Math.sin(i / 60)]);
  return JSON.stringify({ repository: 'acme/shop', app: 'shop', service: `web${post}`, metric: 'cpu', samples: points });
}

let finished = false;
const idle = await (async () => {
  const until = performance.now() + 3_000;
  return probe(() => performance.now() > until);
})();
console.log(`idle, 3 s: /healthz p50 ${ms(quantile(idle.health, 0.5))} p99 ${ms(quantile(idle.health, 0.99))}; webhook p50 ${ms(quantile(idle.webhooks, 0.5))} p99 ${ms(quantile(idle.webhooks, 0.99))}; RSS ${idle.peak.toFixed(0)} MB`);

const during = probe(() => finished);
const took: number[] = [];
for (let post = 0; post < posts; post++) {
  const text = body(post);
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/metrics`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  const answer = await res.text();
  took.push(performance.now() - started);
  if (res.status !== 200) throw new Error(`post answered ${res.status}: ${answer}`);
  console.log(`post ${post + 1}: ${samples.toLocaleString('en')} samples (${(text.length / 1e6).toFixed(1)} MB) in ${ms(took.at(-1)!)}: ${answer}`);
}
finished = true;
const load = await during;
console.log(
  `during the posts: /healthz p50 ${ms(quantile(load.health, 0.5))} p99 ${ms(quantile(load.health, 0.99))} max ${ms(Math.max(...load.health))}; ` +
    `webhook p50 ${ms(quantile(load.webhooks, 0.5))} p99 ${ms(quantile(load.webhooks, 0.99))} max ${ms(Math.max(...load.webhooks))} (${load.webhooks.length} deliveries); RSS peak ${load.peak.toFixed(0)} MB`,
);
await sleep(60_000);
console.log(`a minute after: RSS ${rssMb().toFixed(0)} MB`);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
