/**
 * Deploy verdicts reading Prometheus: paas.yaml's `rollback.metrics` gives a PromQL query, Slipway's
 * `SLIPWAY_PROMETHEUS_URL` the server. A real Prometheus (Debian's `prometheus` package) scrapes a
 * small exporter this test serves on loopback, five times a second; the exporter's latency jumps
 * when the test deploys (real Terraform through the runner), and the verdict reads both sides
 * through `/api/v1/query_range`. A short watch (a few seconds, finer steps) keeps the test quick;
 * the code path is the one a 15-minute watch takes. A query that fails, or no server set, is
 * inconclusive, said plainly.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfigText, formatConfigError, resolveEnvironment } from '../../src/config/load.ts';
import { heldCommitGuard } from '../../src/rollback/held-commit-guard.ts';
import { rollbackSettings, type RollbackSettings } from '../../src/rollback/rollback-settings.ts';
import { runVerdictCheck, type VerdictDeps } from '../../src/rollback/verdict-job.ts';
import { defaultVerdictSettings } from '../../src/rollback/verdict-settings.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import type { Db } from '../../src/store/db.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { createDeployment } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { readMetricSamples } from '../../src/store/metric-samples.ts';
import { localRepository } from '../../src/store/local-repository.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import { runnerForSuite, stateInput, testAppDocument, type TestRunner, webApp } from '../runner/runner-fixtures.ts';

const sha = (label: string) => createHash('sha1').update(label).digest('hex');
const watchMs = 4_000;
/** The verdict as shipped, but a baseline of two watches (8 s here) and the first showing counts. */
const verdictSettings = { ...defaultVerdictSettings, baselineWatches: 2, confirmations: 1 };
const latencyQuery = 'max(shop_request_latency_ms{app="{app}",service="{service}"})';

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The exporter: each app's latency, a level the test sets, ±10 % noise per scrape. */
const levels = new Map<string, number>();
let scrapes = 0;
let exporter: Server;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let dir: string;
let log = '';

before(async () => {
  if (missing('prometheus')) throw new Error('prometheus is not installed: this test needs a real Prometheus (apt-get install -y prometheus)');
  let seed = 1;
  exporter = createHttpServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    scrapes++;
    const lines = ['# TYPE shop_request_latency_ms gauge'];
    for (const [app, level] of levels) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      lines.push(`shop_request_latency_ms{app="${app}",service="web"} ${(level * (0.9 + 0.2 * (seed / 2 ** 31))).toFixed(2)}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const exporterPort = (exporter.address() as { port: number }).port;
  dir = await mkdtemp(join(tmpdir(), 'slipway-prom-verdict-'));
  await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 200ms\n  scrape_timeout: 150ms\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  prometheus.stderr?.on('data', (chunk) => void (log = (log + chunk).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await fetch(`${prometheusUrl}/-/ready`).then((r) => r.ok, () => false)) break;
    if (prometheus.exitCode !== null || Date.now() > deadline) throw new Error(`prometheus did not become ready:\n${log}`);
    await sleep(200);
  }
});

after(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => exporter.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Waits until Prometheus has scraped `n` more times (it scrapes every 200 ms). */
async function scraped(n: number): Promise<void> {
  const target = scrapes + n;
  const deadline = Date.now() + 60_000;
  while (scrapes < target) {
    if (Date.now() > deadline) throw new Error(`prometheus stopped scraping the exporter:\n${log}`);
    await sleep(50);
  }
}

test('paas.yaml names a Prometheus query per metric; errors name the line and the field', () => {
  const head = 'version: 1\nname: shop\nservices:\n  web:\n    type: web\n    image: nginx\n';
  const result = parseConfigText(`${head}rollback:\n  auto: true\n  metrics:\n    - errors\n    - { name: latency, prometheus: '${latencyQuery}' }\n`, 'paas.yaml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  assert.deepEqual(rollbackSettings(resolveEnvironment(result.config, 'production')), { auto: true, watchMs: 900_000, metrics: ['errors', 'latency'], prometheus: { latency: latencyQuery } });
  const errorsOf = (text: string) => {
    const r = parseConfigText(`${head}${text}`, 'paas.yaml');
    return r.ok ? [] : r.errors.map(formatConfigError);
  };
  assert.match(errorsOf("rollback:\n  metrics: [{ name: latency, prometheus: '' }]\n").join('\n'), /^paas\.yaml:8:\d+: rollback\.metrics\[0\]\.prometheus: must not be empty$/);
  assert.match(errorsOf("rollback:\n  metrics: [{ name: latency, promql: 'up' }]\n").join('\n'), /^paas\.yaml:8:\d+: rollback\.metrics\[0\]/);
  assert.deepEqual(errorsOf("rollback:\n  metrics: [latency, { name: latency, prometheus: 'up' }]\n"), ['paas.yaml:8:12: rollback.metrics: lists a metric twice: name each once']);
});

forEachEngine('deploy verdicts from Prometheus', (engine) => {
  let runner: TestRunner;
  runnerForSuite((made) => (runner = made), () => ({ databaseUrl: engine.databaseUrl }));

  async function localApp(db: Db) {
    const app = unique('shop');
    const repository = await localRepository(db, `local/${app}`);
    const appRow = await getOrCreateApp(db, { repositoryId: repository.id, name: app });
    const environment = await getOrCreateEnvironment(db, { appId: appRow.id, name: 'production' });
    return { app, appId: appRow.id, environmentId: environment.id };
  }

  async function deploy(db: Db, where: Awaited<ReturnType<typeof localApp>>, commit: string) {
    const doc = testAppDocument(webApp(where.app), commit);
    const deployment = await createDeployment(db, { appId: where.appId, environmentId: where.environmentId, commitSha: commit, terraformJson: doc });
    const result = await runDeployment({ db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace: { app: where.app, environment: 'production' }, guard: heldCommitGuard(db, { environmentId: where.environmentId, commitSha: commit }) });
    assert.equal(result.status, 'succeeded', JSON.stringify(result));
    return { id: deployment.id, deployedAt: (await findDeployment(db, deployment.id))!.finishedAt!.getTime() };
  }

  const deps = (db: Db, over: Partial<VerdictDeps> = {}): VerdictDeps => ({
    db,
    runner,
    readSamples: (scope) => (app, service, metric, from, to) => readMetricSamples(db, scope, app, service, metric, from, to),
    log: () => {},
    settings: verdictSettings,
    prometheusUrl,
    ...over,
  });
  const rollback = (over: Partial<RollbackSettings> = {}): RollbackSettings => ({ auto: true, watchMs, metrics: ['latency'], prometheus: { latency: latencyQuery }, ...over });

  test('latency scraped by Prometheus doubles after a deploy: a regression read through query_range, rolled back', async () => {
    const db = engine.store().db;
    const where = await localApp(db);
    const good = sha(`${where.app}-good`);
    const bad = sha(`${where.app}-bad`);
    await deploy(db, where, good);
    // The baseline: two watches of the old version at 200 ms.
    levels.set(where.app, 200);
    await sleep(2 * watchMs);
    await scraped(3);
    const deployed = await deploy(db, where, bad);
    levels.set(where.app, 400);
    await sleep(Math.max(0, deployed.deployedAt + watchMs - Date.now()));
    await scraped(3);
    const result = await runVerdictCheck(deps(db), { deploymentId: deployed.id, deployedAt: deployed.deployedAt, checkpoint: 4, rollback: rollback(), services: ['web'] });
    assert.ok(!('skipped' in result));
    assert.equal(result.verdict.verdict, 'regression', result.verdict.reason);
    const [latency] = result.verdict.metrics;
    assert.equal(latency!.metric, 'latency');
    assert.ok(latency!.median!.before > 150 && latency!.median!.before < 260, `median before ${latency!.median!.before}`);
    assert.ok(latency!.effect! > 0.5, `effect ${latency!.effect}`);
    assert.ok(latency!.samples.after >= 10, `samples after ${latency!.samples.after}`);
    assert.equal(result.action.kind, 'rolled-back');
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${good}`);
  });

  test('a Prometheus that cannot answer the query, or none set, is inconclusive, said plainly, and rolls nothing back', async () => {
    const db = engine.store().db;
    const where = await localApp(db);
    await deploy(db, where, sha(`${where.app}-1`));
    const commit = sha(`${where.app}-2`);
    const deployed = await deploy(db, where, commit);
    const payload = (r: RollbackSettings) => ({ deploymentId: deployed.id, deployedAt: deployed.deployedAt, checkpoint: 4, rollback: r, services: ['web'] });
    const bad = await runVerdictCheck(deps(db), payload(rollback({ prometheus: { latency: 'max(shop_request_latency_ms{' } })));
    assert.ok(!('skipped' in bad));
    assert.equal(bad.verdict.verdict, 'inconclusive');
    assert.match(bad.verdict.reason, /^latency of web could not be read: Prometheus query failed \(HTTP 400\): .*parse error/);
    assert.equal(bad.action.kind, 'none');
    const { prometheusUrl: _, ...noServer } = deps(db);
    const unset = await runVerdictCheck(noServer, payload(rollback()));
    assert.ok(!('skipped' in unset));
    assert.equal(unset.verdict.verdict, 'inconclusive');
    assert.equal(unset.verdict.reason, 'latency of web could not be read: rollback.metrics reads latency from Prometheus, but this Slipway has no Prometheus server: set SLIPWAY_PROMETHEUS_URL (e.g. http://prometheus:9090)');
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${commit}`);
  });
});
