/**
 * Push → check run, and pull request → comment, through the loopback doubles: a real Slipway
 * (`slipway serve`: HTTP server, worker, embedded PGlite on disk) in its own process, as it runs in
 * production, and the real git smart-HTTP server and the GitHub REST double in this one. Events are
 * sent one at a time; latency is from sending the signed webhook to the double recording the check
 * run (push) or the comment create/edit (PR). Each push is a new commit changing the app's
 * paas.yaml; each PR event is a synchronize to a new head. After the run, the service's RSS is read
 * from /proc (its steady RSS after 2 × N events).
 *
 * Why two processes: the git server runs the real `git http-backend` as CGI, one spawn per request,
 * and spawn() blocks the spawning thread for as long as fork() copies its page tables (measured
 * here: 15 ms from a plain Node process, ≈ 50 ms from one with PGlite loaded). In one process that
 * cost of the stand-in for GitHub landed on Slipway's event loop, twice per fetch. `--in-process`
 * keeps the old arrangement (service, doubles and bench in one process) for comparison.
 *
 *   node --import tsx bench/e2e.bench.ts [--events 200] [--in-process]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { openStore } from '../src/store/open-store.ts';
import { webhookDeliveries } from '../src/store/schema.ts';
import { startGitHubDouble } from '../test/harness/github-double.ts';
import { startGitServer } from '../test/harness/git-server.ts';
import { pullRequestPayload, pushPayload } from '../test/harness/payloads.ts';
import { webhookHeaders } from '../test/harness/sign-webhook.ts';
import { eventually, helloApp, secret, startHarness } from '../test/e2e/service-harness.ts';
import { npmStartEnv, npmStartNodeFlags } from './npm-start.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200' }, 'in-process': { type: 'boolean', default: false } } });
const events = Number(values.events);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const h = values['in-process'] ? await startHarness({ workers: 2 }) : await startServiceProcess();
const rss: string[] = [];
const noteRss = (when: string) => 'rssMb' in h && rss.push(`${when} ${h.rssMb().toFixed(0)} MB`);
noteRss('idle after start');

/** The doubles here, `slipway serve` in a child process (2 worker slots, as the in-process run). */
async function startServiceProcess() {
  // Measure what `npm ci` installs: the CLI bundle (bin/slipway.js falls back to the TypeScript
  // sources through tsx, slower to start and heavier, when the bundle is older than src/).
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const github = await startGitHubDouble();
  const git = await startGitServer({ authorize: (token, repo) => github.tokenCanRead(token, repo) });
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-e2e-bench-'));
  const env = {
    PATH: process.env.PATH,
    ...npmStartEnv, // as `npm start` sets it
    APP_ID: String(github.appId),
    PRIVATE_KEY: github.privateKeyPem,
    WEBHOOK_SECRET: secret,
    GITHUB_API_URL: github.url,
    GITHUB_URL: git.url,
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_WORKERS: '2',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  let url = '';
  const start = async () => {
    const t0 = performance.now();
    // As `npm start` runs it (package.json): young generation capped at 4 MB semi-spaces.
    const child = spawn(process.execPath, [...npmStartNodeFlags, 'bin/slipway.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slipway serve exited (${child.exitCode}):\n${stderr}`);
      // PORT=0: the service says where it listens.
      url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? '';
      if (url && (await fetch(`${url}/readyz`).catch(() => undefined))?.ok) break;
      await sleep(2);
    }
    return { child, readyMs: performance.now() - t0 };
  };
  const stop = async (child: ReturnType<typeof spawn>) => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  };
  // The first start creates the data folder (initdb, migrations); the measured one reuses it.
  await stop((await start()).child);
  const { child, readyMs } = await start();
  console.log(`slipway serve: process start to /readyz 200, existing data folder: ${readyMs.toFixed(0)} ms`);
  let next = 100;
  return {
    github,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024,
    async repo(fullName: string) {
      const repo = await git.createRepo(fullName);
      const installationId = next++;
      github.addRepository(fullName, { cloneUrl: repo.cloneUrl, defaultBranch: 'main' });
      github.addInstallation({ id: installationId, account: fullName.split('/')[0]!, repositories: [fullName] });
      return Object.assign(repo, { installationId, full: { fullName, cloneUrl: repo.cloneUrl } });
    },
    send(event: string, payload: unknown) {
      const body = JSON.stringify(payload);
      return fetch(`${url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, event, body) });
    },
    async close() {
      await stop(child);
      await git.close();
      await github.close();
      await printPushLaps(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Medians of the per-stage times each push job wrote into its outcome (read from the stopped service's store). */
async function printPushLaps(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir: join(dataDir, 'db'), migrate: false });
  try {
    const rows = await store.db.select({ outcome: webhookDeliveries.outcome }).from(webhookDeliveries).where(eq(webhookDeliveries.event, 'push'));
    const laps = new Map<string, number[]>();
    for (const { outcome } of rows) {
      for (const [, name, ms] of (outcome ?? '').matchAll(/(?:\(|, )([a-z ]+) (\d+) ms/g)) laps.set(name!, [...(laps.get(name!) ?? []), Number(ms)]);
    }
    console.log(`push job stages, median over ${rows.length} pushes (from each job's outcome): ${[...laps].map(([name, xs]) => `${name} ${percentile(xs, 50)} ms`).join(', ')}`);
  } finally {
    await store.close();
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function waitFast<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(1);
  }
}

// Pushes.
const repo = await h.repo('bench/app');
let before = await repo.commit({ 'paas.yaml': helloApp() });
await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: before }));
await eventually('warm-up', () => h.github.checkRuns.find((r) => r.head_sha === before));
noteRss('after the first push');
// RSS sampled every 250 ms while the events run: the highest is reported with the snapshot after them.
const rssSamples: number[] = [];
const sampler = setInterval(() => 'rssMb' in h && rssSamples.push(h.rssMb()), 250);
const push: number[] = [];
for (let i = 0; i < events; i++) {
  const sha = await repo.commit({ 'paas.yaml': helloApp({ instances: 2 + (i % 7) }) });
  const t0 = performance.now();
  await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before, after: sha }));
  await waitFast(() => h.github.checkRuns.find((r) => r.head_sha === sha));
  push.push(performance.now() - t0);
  before = sha;
}

// Pull requests: opened, then synchronize to a new head each time.
const base = before;
let head = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) }, { branch: 'feature', parent: base });
const pr = (action: 'opened' | 'synchronize', headSha: string) =>
  pullRequestPayload({ action, repo: repo.full, installationId: repo.installationId, number: 1, headSha, headRef: 'feature', baseSha: base });
await h.send('pull_request', pr('opened', head));
await eventually('warm-up comment', () => h.github.comments.find((c) => c.body.includes(head)));
const prLatency: number[] = [];
for (let i = 0; i < events; i++) {
  head = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 + (i % 5), cpu: i % 2 ? 0.5 : 0.25, memory: '1Gi' }) }, { branch: 'feature' });
  const t0 = performance.now();
  await h.send('pull_request', pr('synchronize', head));
  await waitFast(() => h.github.comments.find((c) => c.body.includes(head)));
  prLatency.push(performance.now() - t0);
}

clearInterval(sampler);
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms  p99 ${percentile(xs, 99).toFixed(0)} ms  max ${Math.max(...xs).toFixed(0)} ms  (n=${xs.length})`;
console.log(`push → check run      ${fmt(push)}`);
console.log(`PR → comment          ${fmt(prLatency)}`);
console.log(`comments on the PR: ${h.github.comments.filter((c) => c.repo === 'bench/app').length} (one, edited)`);
noteRss(`after ${2 * events} more events`);
if ('rssMb' in h) {
  rss.push(`highest while they ran ${Math.max(...rssSamples).toFixed(0)} MB`);
  // V8 collects its old generation late under load and early when idle (its memory reducer).
  await new Promise((r) => setTimeout(r, 15_000));
  noteRss('after 15 s idle');
}
if ('rssMb' in h) console.log(`service RSS (slipway serve, its own process): ${rss.join('; ')}`);
else console.log(`RSS after the run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (service, doubles and bench in one process)`);
await h.close();
