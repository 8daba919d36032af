/**
 * Issue 13's figures for the hostile loads, against a real `slipway serve` (its own process, as
 * `npm start` runs it: the CLI bundle, embedded PGlite in a store thread, 2 worker slots), wired to
 * the loopback GitHub double and git server in this process. While this process sends `/healthz`
 * requests back to back and samples the service's RSS from /proc every 100 ms, it sends:
 *   - row 1: 10 signed pushes naming another installation and a clone_url of a loopback listener;
 *   - row 3: a 12 MB push with 100,000 commits, an object nested 100,000 deep, an array nested
 *     1,000,000 deep, then a normal push;
 *   - row 2: 6 pull-request synchronizes whose paas.yaml has 1,000-character values judged by
 *     default-branch policies `^(a|aa)+$` and `(a|a?)+b` (run by the job worker, on the thread that
 *     answers HTTP);
 *   - row 12: two 200,000-sample metric posts;
 * and waits until every job is done (the normal push's check run, each PR's check run).
 * Targets: /healthz p99 ≤ 20 ms during; RSS ≤ 400 MB during, ≤ 250 MB a minute after. The RSS peak
 * is printed per load too (the peak while it was sent and until the next one was).
 *
 *   node --import tsx bench/hostile-load.bench.ts [--after 60] [--profile DIR]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGitHubDouble } from '../test/harness/github-double.ts';
import { startGitServer } from '../test/harness/git-server.ts';
import { pullRequestPayload, pushPayload, fakeSha } from '../test/harness/payloads.ts';
import { webhookHeaders } from '../test/harness/sign-webhook.ts';
import { npmStartEnv, npmStartNodeFlags } from './npm-start.ts';

const { values } = parseArgs({ options: { after: { type: 'string', default: '60' }, profile: { type: 'string' } } });
const afterSeconds = Number(values.after);
const secret = 'bench-secret';
const token = 'bench-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }); // measure the bundle `npm ci` builds
const bareDirs = new Map<string, string>();
const github = await startGitHubDouble({ gitDirOf: (repo) => bareDirs.get(repo) });
const git = await startGitServer({ authorize: (t, repo) => github.tokenCanRead(t, repo) });
const heard: string[] = [];
const listener = createServer((req, res) => {
  heard.push(`${req.method} ${req.url}`);
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-hostile-bench-'));
const env = {
  PATH: process.env.PATH,
  ...npmStartEnv,
  APP_ID: String(github.appId),
  PRIVATE_KEY: github.privateKeyPem,
  WEBHOOK_SECRET: secret,
  GITHUB_API_URL: github.url,
  GITHUB_URL: git.url,
  SLIPWAY_DATA_DIR: dataDir,
  SLIPWAY_API_TOKEN: token,
  SLIPWAY_WORKERS: '2',
  PORT: '0',
  HOST: '127.0.0.1',
};
// --profile DIR: the service writes V8 CPU profiles there (one per thread) when it exits.
const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const child = spawn(process.execPath, [...npmStartNodeFlags, ...profile, 'bin/slipway.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
/**
 * fetch, asked again on a new connection when the one it reused was being closed by the server
 * (its keep-alive timeout passed while this process built the next body: ECONNRESET, EPIPE under
 * heavy load). Counted and printed; a delivery sent twice is a duplicate to the service.
 */
let resets = 0;
async function fetchAgain(input: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(input, init);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof TypeError)) {
        // Say whether the service is still there, and what it logged last.
        throw new Error(`${input}: ${(error as Error).message} (${String((error as Error).cause)}); slipway serve ${child.exitCode === null ? 'still running' : `exited (${child.exitCode}, ${child.signalCode})`}:\n${stderr.slice(-3000)}`, { cause: error });
      }
      resets++;
    }
  }
}
const post = (event: string, body: string) => fetchAgain(`${url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, event, body) }).then(async (r) => ({ status: r.status, text: await r.text() }));
async function until<T>(what: string, check: () => T | undefined, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${stderr.slice(-3000)}`);
    await sleep(20);
  }
}

// The repositories: acme/shop (its default branch carries the hostile policies) and a victim.
async function repo(fullName: string, installationId: number) {
  const r = await git.createRepo(fullName);
  bareDirs.set(fullName, r.bareDir);
  github.addRepository(fullName, { cloneUrl: r.cloneUrl, defaultBranch: 'main' });
  github.addInstallation({ id: installationId, account: fullName.split('/')[0]!, repositories: [fullName] });
  return r;
}
const shop = await repo('acme/shop', 100);
await repo('victim/secret', 101);
const app = (env: Record<string, string> = {}) => `version: 1
name: shop
region: us-east-1
services:
  web0:
    type: web
    image: nginx
    port: 80
    env:
${Object.entries({ MODE: 'x', ...env }).map(([k, v]) => `      ${k}: "${v}"`).join('\n')}
`;
const policy = `version: 1
rules:
${[['alternation-even', 'env.EVEN', '^(a|aa)+$'], ['alternation-odd', 'env.ODD', '^(a|aa)+$'], ['optional-plain', 'env.PLAIN', '(a|a?)+b'], ['optional-odd', 'env.ODD', '(a|a?)+b']]
  .map(([id, path, pattern]) => `  - id: ${id}
    description: hostile pattern
    severity: warning
    remediation: none
    select: { config: services }
    assert:
      - { path: ${path}, matches: "${pattern}" }
`)
  .join('')}`;
const base = await shop.commit({ 'paas.yaml': app(), '.slipway/policies/hostile.yaml': policy });
const shopRef = { fullName: 'acme/shop', cloneUrl: shop.cloneUrl };
await post('push', JSON.stringify(pushPayload({ repo: shopRef, installationId: 100, after: base })));
await until('the first check run', () => github.checkRuns.find((r) => r.head_sha === base && r.status === 'completed'));
// The first push's job goes on after its check run (deployment records, the runner): let it end.
await until('the first deployment’s last status', () => (github.statuses.some((st) => ['success', 'failure', 'error', 'inactive', 'pending'].includes(st.state) && st.repo === 'acme/shop') ? true : undefined), 60_000).catch(() => undefined);
await sleep(5_000);
const idleRss = rssMb();

// The probe: /healthz back to back, RSS every 100 ms.
let probing = true;
let startedAt = performance.now();
let phase = 'start';
const health: number[] = [];
/** /healthz answers over 100 ms, with what this process was sending when they were asked. */
const stalls: string[] = [];
let peak = rssMb();
/** The RSS peak while each load was being sent or processed (a phase lasts until the next begins). */
const peaks = new Map<string, number>();
const sampler = setInterval(() => {
  const rss = rssMb();
  peak = Math.max(peak, rss);
  peaks.set(phase, Math.max(peaks.get(phase) ?? 0, rss));
}, 100);
const probe = (async () => {
  while (probing) {
    const started = performance.now();
    const asked = phase;
    await (await fetchAgain(`${url}/healthz`)).text();
    const took = performance.now() - started;
    health.push(took);
    if (took > 100) stalls.push(`${took.toFixed(0)} ms at +${((started - startedAt) / 1000).toFixed(1)} s (${asked})`);
  }
})();

// A baseline: 3 s of probing with nothing sent.
startedAt = performance.now();
phase = 'idle: nothing sent yet';
await sleep(3_000);
const idleCount = health.length;
// Row 1.
phase = 'row 1: forged pushes';
for (let i = 0; i < 10; i++) {
  await post('push', JSON.stringify(pushPayload({ repo: { fullName: 'acme/shop', cloneUrl: `${listenerUrl}/x.git` }, installationId: 101, after: base })));
}
// Row 3.
phase = 'row 3: 12 MB push';
const commits = Array.from({ length: 100_000 }, (_, i) => ({ id: fakeSha(`c${i}`), message: `commit ${i}`, url: `https://github.com/acme/shop/commit/${fakeSha(`c${i}`)}` }));
const answers: string[] = [];
answers.push(`12 MB push ${(await post('push', JSON.stringify({ ...pushPayload({ repo: shopRef, installationId: 100, after: base }), commits }))).status}`);
const head = JSON.stringify(pushPayload({ repo: shopRef, installationId: 100, after: base })).slice(0, -1);
phase = 'row 3: deep deliveries';
answers.push(`object 100,000 deep ${(await post('push', `${head},"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`)).status}`);
answers.push(`array 1,000,000 deep ${(await post('push', `${head},"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`)).status}`);
const normal = await shop.commit({ 'paas.yaml': app({ MODE: 'y' }) });
answers.push(`normal push ${(await post('push', JSON.stringify(pushPayload({ repo: shopRef, installationId: 100, before: base, after: normal })))).status}`);
phase = 'row 2: pull requests';
// Row 2: pull requests judged by the hostile default-branch policies.
const a = 'a'.repeat(999);
const prHeads: string[] = [];
let prHead = await shop.commit({ 'paas.yaml': app({ EVEN: `${a}a`, ODD: `${a}b`, PLAIN: a }) }, { branch: 'feature', parent: normal });
for (let i = 0; i < 6; i++) {
  if (i > 0) prHead = await shop.commit({ 'paas.yaml': app({ EVEN: `${a}a`, ODD: `${a}b`, PLAIN: a, ROUND: String(i) }) }, { branch: 'feature' });
  await shop.setRef('refs/pull/1/head', prHead);
  github.addPullRequest({ repo: 'acme/shop', number: 1, headSha: prHead, headRef: 'feature', baseRef: 'main', baseSha: normal, headRepo: 'acme/shop', user: 'octocat' });
  await post('pull_request', JSON.stringify(pullRequestPayload({ action: i === 0 ? 'opened' : 'synchronize', repo: shopRef, installationId: 100, number: 1, headSha: prHead, headRef: 'feature', baseSha: normal })));
  prHeads.push(prHead);
}
phase = 'row 12: metric posts';
// Row 12: two 200,000-sample metric posts.
for (let p = 0; p < 2; p++) {
  const start = Date.now() - (p + 1) * 200_000 * 60_000;
  const points = Array.from({ length: 200_000 }, (_, i) => [start + i * 60_000, 20 + 10 * Math.sin(i / 60)]);
  const text = JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web0', metric: p === 0 ? 'cpu' : 'memory', samples: points });
  phase = `row 12: metric post ${p + 1}`;
  const t0 = performance.now();
  const res = await fetchAgain(`${url}/api/v1/metrics`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  answers.push(`metrics post ${p + 1} ${res.status} in ${ms(performance.now() - t0)}`);
  await res.text();
}
phase = 'waiting for the jobs';
await until('the normal push’s check run', () => github.checkRuns.find((r) => r.head_sha === normal && r.status === 'completed'));
for (const sha of prHeads) await until(`the PR check run of ${sha.slice(0, 7)}`, () => github.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed') ?? (prHeads.at(-1) !== sha ? true : undefined));
const tookS = (performance.now() - startedAt) / 1000;
probing = false;
await probe;
clearInterval(sampler);

console.log(`answers: ${answers.join('; ')}`);
console.log(`tokens minted for installation 101: ${github.calls.filter((c) => c.path === '/app/installations/101/access_tokens').length}; requests the clone_url listener heard: ${heard.length}`);
const idle = health.slice(0, idleCount);
console.log(`idle baseline (3 s, nothing sent): /healthz p50 ${ms(quantile(idle, 0.5))} p99 ${ms(quantile(idle, 0.99))} max ${ms(Math.max(...idle))} (n=${idle.length})`);
health.splice(0, idleCount);
console.log(`hostile loads processed in ${(tookS - 3).toFixed(1)} s: /healthz p50 ${ms(quantile(health, 0.5))} p99 ${ms(quantile(health, 0.99))} max ${ms(Math.max(...health))} (n=${health.length})`);
console.log(`connections the server was closing, asked again: ${resets}`);
console.log(`/healthz answers over 100 ms: ${stalls.length ? stalls.join('; ') : 'none'}`);
console.log(`RSS: idle before ${idleRss.toFixed(0)} MB; peak during ${peak.toFixed(0)} MB (${[...peaks].map(([p, mb]) => `${p}: ${mb.toFixed(0)}`).join('; ')})`);
await sleep(afterSeconds * 1000);
console.log(`RSS ${afterSeconds} s after: ${rssMb().toFixed(0)} MB`);
const t = performance.now();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
console.log(`SIGTERM to exit: ${ms(performance.now() - t)}`);
listener.close();
await git.close();
await github.close();
rmSync(dataDir, { recursive: true, force: true });
