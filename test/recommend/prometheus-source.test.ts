/**
 * The Prometheus source against a real Prometheus (Debian's `prometheus` package; CI installs it):
 * OpenMetrics text backfilled with `promtool tsdb create-blocks-from openmetrics`, the server
 * started on loopback on a free port, queried through `fetchPrometheusMetrics`, stopped after.
 * Backfilled samples must be older than the head block (about 2 h), so the data ends 3 h ago.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import { fetchPrometheusMetrics } from '../../src/recommend/sources/prometheus-source.ts';
import { MetricsInputError } from '../../src/recommend/sources/metrics-input-error.ts';

const minute = 60_000;
const end = Math.floor((Date.now() - 3 * 3_600_000) / minute) * minute;
const start = end - 2 * 24 * 60 * minute;
const cpuAt = (t: number) => 10 + ((t / minute) % 10);

function missing(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Prometheus source (real server)', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let url: string;
  let log = '';

  before(async () => {
    for (const tool of ['prometheus', 'promtool']) {
      if (missing(tool)) throw new Error(`${tool} is not installed: this test needs a real Prometheus (apt-get install -y prometheus)`);
    }
    dir = await mkdtemp(join(tmpdir(), 'slipway-prom-'));
    const lines = ['# TYPE ecs_service_cpu_utilization_percent gauge', '# TYPE ecs_service_memory_utilization_percent gauge', '# TYPE custom_load gauge'];
    for (let t = start; t <= end; t += minute) {
      const s = t / 1000;
      lines.push(`ecs_service_cpu_utilization_percent{app="shop",service="web"} ${cpuAt(t)} ${s}`);
      lines.push(`ecs_service_memory_utilization_percent{app="shop",service="web"} 40 ${s}`);
      lines.push(`custom_load{job="shop-web",pod="a"} 7 ${s}`);
      lines.push(`custom_load{job="shop-web",pod="b"} 9 ${s}`);
    }
    lines.push('# EOF');
    await writeFile(join(dir, 'data.om'), `${lines.join('\n')}\n`);
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
    await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'data')]);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (chunk) => void (log = (log + chunk).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not become ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the default queries with {app} and {service} filled in, at one-minute steps', async () => {
    const { metrics, notes } = await fetchPrometheusMetrics({ url, app: 'shop', service: 'web', start, end });
    assert.deepEqual(notes, []);
    assert.equal(metrics.cpu?.length, 2 * 24 * 60 + 1);
    assert.deepEqual(metrics.cpu?.slice(0, 3), [0, 1, 2].map((k) => ({ t: start + k * minute, v: cpuAt(start + k * minute) })));
    assert.ok(metrics.memory?.every((s) => s.v === 40));
    assert.equal(metrics.requests, undefined, 'no such series: absent, not empty');
  });

  it('fetches long ranges in chunks under the 11,000-point limit', async () => {
    // 2 days at a 10 s step is 17,281 points: two requests.
    const { metrics } = await fetchPrometheusMetrics({ url, app: 'shop', service: 'web', metrics: ['cpu'], start, end, stepSeconds: 10 });
    assert.equal(metrics.cpu?.length, (end - start) / 10_000 + 1);
    const times = metrics.cpu!.map((s) => s.t);
    assert.ok(times.every((t, i) => i === 0 || t - times[i - 1] === 10_000), 'no gap or overlap between chunks');
  });

  it('uses paas.yaml queries and says when a query returns more than one series', async () => {
    const queries = { cpu: 'custom_load{job="{app}-{service}"}', memory: 'sum(custom_load{job="{app}-{service}"})' };
    const { metrics, notes } = await fetchPrometheusMetrics({ url, app: 'shop', service: 'web', queries, metrics: ['cpu', 'memory'], start, end });
    assert.ok(metrics.memory?.every((s) => s.v === 16));
    assert.match(notes.join(' '), /cpu: the query returned 2 series; used the first/);
  });

  it('turns a bad query into a clear error', async () => {
    await assert.rejects(
      fetchPrometheusMetrics({ url, app: 'shop', service: 'web', queries: { cpu: 'sum(' }, metrics: ['cpu'], start, end }),
      (error: unknown) => error instanceof MetricsInputError && /Prometheus query failed \(HTTP 400\): .*parse error/.test(error.message),
    );
  });

  it('feeds the engine: two days of Prometheus data give a recommendation', async () => {
    const { metrics } = await fetchPrometheusMetrics({ url, app: 'shop', service: 'web', start, end });
    const rec = recommendService({ app: 'shop', service: 'web', cpu: 1, memoryMiB: 4096, instances: { min: 2, max: 2 }, region: 'us-east-1' }, metrics);
    assert.equal(rec.status, 'ok');
    // P90 of 10..19 % of 1 vCPU is 0.18-0.19 vCPU; × 1.15 × (1 + 1/2) ≈ 0.32 → 0.5 vCPU.
    assert.ok(rec.cpu!.basisValue >= 0.18 && rec.cpu!.basisValue <= 0.19, String(rec.cpu!.basisValue));
    assert.equal(rec.cpu!.recommended, 0.5);
  });
});
