/**
 * Issue 13, row 2: default-branch policies whose `matches:` patterns backtrack exponentially in
 * JavaScript's RegExp (`^(a|aa)+$`, `(a|a?)+b`), judged against 1,000-character values.
 *   1. `slipway policy check` as a process (wall time, start-up included) and in this process
 *      (the command's own work, warm); target ≤ 50 ms.
 *   2. `/healthz` latency (p50/p99/max) while the same rules are evaluated back to back on the
 *      thread that answers HTTP, as the job worker does in `slipway serve`; target p99 ≤ 20 ms.
 *
 * The process figure includes Node's start: run `npm run build` first, or the CLI runs its sources
 * through tsx (about 0.4 s more).
 *
 *   node --import tsx bench/hostile-patterns.bench.ts [--runs 10] [--seconds 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getRequestListener } from '@hono/node-server';
import { run as policyCheck } from '../src/cli/policy.ts';
import { loadApps, resolveEnvironment } from '../src/config/load.ts';
import { healthRoutes } from '../src/http/routes/health.ts';
import { evaluatePolicies, loadPolicyFiles } from '../src/policy/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, seconds: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const seconds = Number(values.seconds);

const value = (tail: string) => `${'a'.repeat(999)}${tail}`;
const dir = mkdtempSync(join(tmpdir(), 'slipway-hostile-'));
writeFileSync(join(dir, 'paas.yaml'), `version: 1
name: shop
region: us-east-1
services:
  web:
    type: web
    image: nginx
    port: 80
    env:
      EVEN: "${value('a')}"
      ODD: "${value('b')}"
      PLAIN: "${value('')}"
`);
mkdirSync(join(dir, '.slipway', 'policies'), { recursive: true });
const policyText = `version: 1
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
writeFileSync(join(dir, '.slipway', 'policies', 'hostile.yaml'), policyText);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n: number) => `${n.toFixed(1)} ms`;

// 1a. The CLI as a process.
const wall: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  try {
    execFileSync(process.execPath, ['bin/slipway.js', 'policy', 'check', dir], { stdio: 'pipe' });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 1) throw error; // 1: warnings only here, but exit 1 would mean a blocking failure
  }
  wall.push(performance.now() - started);
}
wall.sort((a, b) => a - b);
console.log(`slipway policy check (process, ${runs} runs): median ${ms(quantile(wall, 0.5))}, max ${ms(wall.at(-1)!)}`);

// 1b. The command in this process, warm: what the check itself costs beyond Node's start.
const io = { stdout: () => {}, stderr: () => {}, cwd: dir, env: {} };
await policyCheck(['check', '.'], io);
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await policyCheck(['check', '.'], io);
  warm.push(performance.now() - started);
}
warm.sort((a, b) => a - b);
console.log(`slipway policy check (in process, warm, ${runs} runs): median ${ms(quantile(warm, 0.5))}, max ${ms(warm.at(-1)!)}`);

// 1c. Only the four hostile rules, each on its 1,000-character value.
const loaded = loadPolicyFiles(new Map([['hostile.yaml', policyText]]), 'repo');
if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
const appsLoaded = await loadApps(dir);
if (appsLoaded.apps.length !== 1) throw new Error(JSON.stringify(appsLoaded.errors));
const [app] = appsLoaded.apps;
const config = resolveEnvironment(app.config, 'production');
const evaluateOnce = () => evaluatePolicies({ config, environment: 'production', terraform: {}, rules: loaded.rules });
const statuses = evaluateOnce().map((r) => `${r.ruleId}=${r.status}`).join(', ');
const evaluation: number[] = [];
for (let i = 0; i < runs * 10; i++) {
  const started = performance.now();
  evaluateOnce();
  evaluation.push(performance.now() - started);
}
evaluation.sort((a, b) => a - b);
console.log(`4 hostile rules on 1,000-character values: median ${ms(quantile(evaluation, 0.5))}, max ${ms(evaluation.at(-1)!)} (${statuses})`);

// 2. /healthz while the rules run back to back on this thread (yielding between evaluations, as
// the worker yields between jobs).
const server = createServer(getRequestListener(healthRoutes(async () => ({ ready: true })).fetch));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
async function healthLatency(busyWith?: () => void): Promise<string> {
  let running = busyWith !== undefined;
  let evaluations = 0;
  const busy = (async () => {
    while (running) {
      busyWith!();
      evaluations++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    await response.text();
    latencies.push(performance.now() - started);
  }
  running = false;
  await busy;
  latencies.sort((a, b) => a - b);
  const during = busyWith ? `during ${evaluations} evaluations` : 'idle (baseline)';
  return `/healthz ${during}, ${seconds} s: ${latencies.length} requests, p50 ${ms(quantile(latencies, 0.5))}, p99 ${ms(quantile(latencies, 0.99))}, max ${ms(latencies.at(-1)!)}`;
}
console.log(await healthLatency());
console.log(await healthLatency(evaluateOnce));
server.close();
rmSync(dir, { recursive: true, force: true });
