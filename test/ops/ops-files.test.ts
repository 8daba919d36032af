/**
 * ops/: the alert rules pass `promtool check rules` and their unit tests (`promtool test rules`),
 * the Grafana dashboard is what its script writes, every query in both names metrics the service
 * really exports, and a real Prometheus (Debian's package) scrapes a running service with the
 * rules loaded.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { parse } from 'yaml';
import { createHttpApp } from '../../src/http/app.ts';
import { createServiceMetrics } from '../../src/ops/service-metrics.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { pushPayload } from '../harness/payloads.ts';
import { seedApp } from '../harness/seed-store.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const alertsFile = join(root, 'ops/prometheus/alerts.yml');
const dashboardFile = join(root, 'ops/grafana/slipway.json');
/** Series Prometheus itself makes for every target. */
const prometheusOwn = new Set(['up']);

let store: Store;
let server: ServerType;
let serviceUrl: string;
let exported: Set<string>;

before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  await seedApp(store.db, { repository: 'acme/ops', statuses: ['failed'] });
  const metrics = createServiceMetrics({ db: store.db });
  // Every metric has a series once these happened, so each `# TYPE` line lists it.
  metrics.job('github.webhook', 'completed', 0.1);
  metrics.runnerPhase('plan', true, 1);
  metrics.rateLimitRemaining(1, 4000);
  metrics.storeError('claim');
  metrics.apiRequest('GET', 200);
  const app = createHttpApp({ db: store.db, webhookSecret: 'ops', log: () => {}, metrics, metricsToken: 'scrape' });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      serviceUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
  const body = JSON.stringify(pushPayload({ repo: { fullName: 'acme/ops', defaultBranch: 'main' }, installationId: 1, after: 'a'.repeat(40), before: 'b'.repeat(40) }));
  assert.equal((await fetch(`${serviceUrl}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders('ops', 'push', body) })).status, 202);
  const text = await (await fetch(`${serviceUrl}/metrics`, { headers: { authorization: 'Bearer scrape' } })).text();
  exported = new Set();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(match[1]!);
    if (match[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${match[1]}${suffix}`);
  }
});
after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await store?.close();
});

async function expressions(): Promise<Array<{ where: string; expr: string }>> {
  const rules = parse(await readFile(alertsFile, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return [
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.title}`, expr: t.expr }))),
  ];
}

describe('ops/: alert rules and the dashboard', () => {
  it('passes promtool check rules and the rules’ unit tests', async () => {
    const checked = await run('promtool', ['check', 'rules', alertsFile]);
    assert.match(checked.stdout, /SUCCESS: 9 rules found/);
    const tested = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: join(root, 'ops/prometheus') });
    assert.match(tested.stdout, /SUCCESS/);
  });

  it('keeps the dashboard JSON as its script writes it', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'ops/grafana/build-dashboard.mjs'), '--print']);
    assert.equal(await readFile(dashboardFile, 'utf8'), stdout);
  });

  it('names in every query only metrics the service exports (and at least one)', async () => {
    const all = await expressions();
    assert.ok(all.length >= 20, `${all.length} expressions`);
    assert.ok(exported.has('slipway_webhook_deliveries_total') && exported.has('slipway_job_duration_seconds_bucket'));
    for (const { where, expr } of all) {
      const names = [...expr.matchAll(/\b(slipway_[a-z0-9_]+|up)\b(?=\s*[{[)=<>!]|\s*$)/g)].map((m) => m[1]!);
      assert.ok(names.length > 0, `${where}: names no metric: ${expr}`);
      for (const name of names) assert.ok(exported.has(name) || prometheusOwn.has(name), `${where}: ${name} is not exported by the service`);
    }
  });
});

describe('a real Prometheus scraping the service', () => {
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let url: string;
  let log = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-scrape-'));
    const target = new URL(serviceUrl).host;
    await writeFile(join(dir, 'alerts.yml'), await readFile(alertsFile, 'utf8'));
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [alerts.yml]',
        'scrape_configs:',
        '  - job_name: slipway',
        '    authorization: { credentials: scrape }',
        `    static_configs: [{ targets: ["${target}"] }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr?.on('data', (chunk) => void (log = (log + chunk).slice(-4000)));
  });
  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (!res?.ok) return [];
    return ((await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
  }
  async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (prometheus?.exitCode !== null || Date.now() > deadline) throw new Error(`${what}: not seen in time\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('scrapes /metrics with the bearer token, reads the service’s series, and fires the failed-deployment alert', async () => {
    await eventually('the target up', async () => ((await query('up{job="slipway"}'))[0]?.value[1] === '1' ? true : undefined));
    const queued = await eventually('the delivery counter', async () => (await query('slipway_webhook_deliveries_total{event="push",outcome="queued"}'))[0]);
    assert.equal(queued.value[1], '1');
    assert.equal((await query('slipway_store_up'))[0]?.value[1], '1');
    const failing = await eventually('the alert', async () => {
      const res = await fetch(`${url}/api/v1/alerts`);
      const alerts = ((await res.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
      return alerts.find((a) => a.labels.alertname === 'SlipwayDeploymentFailed');
    });
    assert.equal(failing.labels.repository, 'acme/ops');
    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ health: string; name: string }> }> } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    assert.equal(loaded.length, 9);
    assert.ok(loaded.every((r) => r.health !== 'err'), JSON.stringify(loaded.filter((r) => r.health === 'err')));
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
