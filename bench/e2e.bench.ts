/**
 * Push → check run, and pull request → comment, through the loopback doubles: a real Slipway
 * (HTTP server, worker, embedded PGlite on disk), the real git smart-HTTP server and the GitHub
 * REST double. Events are sent one at a time; latency is from sending the signed webhook to the
 * double recording the check run (push) or the comment create/edit (PR). Each push is a new
 * commit changing the app's paas.yaml; each PR event is a synchronize to a new head.
 *
 *   node --import tsx bench/e2e.bench.ts [--events 200]
 */
import { parseArgs } from 'node:util';
import { pullRequestPayload, pushPayload } from '../test/harness/payloads.ts';
import { eventually, helloApp, startHarness } from '../test/e2e/service-harness.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200' } } });
const events = Number(values.events);
const h = await startHarness({ workers: 2 });

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms  p99 ${percentile(xs, 99).toFixed(0)} ms  max ${Math.max(...xs).toFixed(0)} ms  (n=${xs.length})`;
console.log(`push → check run      ${fmt(push)}`);
console.log(`PR → comment          ${fmt(prLatency)}`);
console.log(`comments on the PR: ${h.github.comments.filter((c) => c.repo === 'bench/app').length} (one, edited)`);
console.log(`RSS after the run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (service, doubles and bench in one process)`);
await h.close();
