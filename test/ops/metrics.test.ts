import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpApp } from '../../src/http/app.ts';
import { createServiceMetrics, type ServiceMetrics } from '../../src/ops/service-metrics.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { pushPayload } from '../harness/payloads.ts';
import { seedApp } from '../harness/seed-store.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';

const secret = 'metrics-test-secret';
let store: Store;
let metrics: ServiceMetrics;
let app: ReturnType<typeof createHttpApp>;

before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  metrics = createServiceMetrics({ db: store.db });
  app = createHttpApp({ db: store.db, webhookSecret: secret, log: () => {}, metrics, metricsToken: 'scrape-token' });
});
after(async () => {
  await store.close();
});

async function scrape(): Promise<string> {
  const res = await app.request('/metrics', { headers: { authorization: 'Bearer scrape-token' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, by its exact name and labels. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('asks for its bearer token when one is set', async () => {
    assert.equal((await app.request('/metrics')).status, 401);
    assert.equal((await app.request('/metrics', { headers: { authorization: 'Bearer nope' } })).status, 401);
  });

  it('counts deliveries by event and outcome, labels an unsigned one "unknown", and times each', async () => {
    const body = JSON.stringify(pushPayload({ repo: { fullName: 'acme/shop', defaultBranch: 'main' }, installationId: 1, after: 'a'.repeat(40), before: 'b'.repeat(40) }));
    const id = crypto.randomUUID();
    assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) })).status, 202);
    assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) })).status, 200);
    assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders('forged', 'invented_event', body) })).status, 401);
    const text = await scrape();
    assert.equal(value(text, 'slipway_webhook_deliveries_total{event="push",outcome="queued"}'), 1);
    assert.equal(value(text, 'slipway_webhook_deliveries_total{event="push",outcome="duplicate"}'), 1);
    assert.equal(value(text, 'slipway_webhook_deliveries_total{event="unknown",outcome="rejected_signature"}'), 1);
    assert.ok(!text.includes('invented_event'), 'an unsigned request names no label');
    assert.equal(value(text, 'slipway_webhook_ingest_seconds_count{outcome="queued"}'), 1);
    // The push's job waits in the queue.
    assert.match(text, /^slipway_jobs_queued\{kind="[^"]+"\} 1$/m);
    assert.match(text, /^slipway_jobs_oldest_queued_age_seconds\{kind="[^"]+"\} \d/m);
    assert.equal(value(text, 'slipway_store_up'), 1);
  });

  it('reports deployments by status, every status included, and each environment’s latest status', async () => {
    await seedApp(store.db, { repository: 'acme/metrics', app: 'api', statuses: ['succeeded', 'failed'] });
    await seedApp(store.db, { repository: 'acme/metrics', app: 'web', statuses: ['succeeded'] });
    const text = await scrape();
    assert.equal(value(text, 'slipway_deployments{status="succeeded"}'), 2);
    assert.equal(value(text, 'slipway_deployments{status="failed"}'), 1);
    assert.equal(value(text, 'slipway_deployments{status="interrupted"}'), 0);
    assert.equal(value(text, 'slipway_environment_deployment_status{repository="acme/metrics",app="api",environment="production",status="failed"}'), 1);
    assert.equal(value(text, 'slipway_environment_deployment_status{repository="acme/metrics",app="web",environment="production",status="succeeded"}'), 1);
    assert.equal(value(text, 'slipway_environment_deployment_status{repository="acme/metrics",app="api",environment="production",status="succeeded"}'), undefined, 'only the latest');
  });

  it('reuses the figures it read from the store for storeFiguresMaxAgeMs, while its own counters stay live', async () => {
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const cached = createServiceMetrics({ db: store.db, now: () => new Date(clock), storeFiguresMaxAgeMs: 5_000 });
    const series = (app: string) => `slipway_environment_deployment_status{repository="acme/cached",app="${app}",environment="production",status="succeeded"}`;
    await seedApp(store.db, { repository: 'acme/cached', app: 'api', statuses: ['succeeded'] });
    assert.equal(value((await cached.render()).body, series('api')), 1);

    await seedApp(store.db, { repository: 'acme/cached', app: 'web', statuses: ['succeeded'] });
    cached.delivery('push', 'queued', 0.01);
    clock += 4_999;
    const within = (await cached.render()).body;
    assert.equal(value(within, series('web')), undefined, 'the store is not read again within 5 s');
    assert.equal(value(within, 'slipway_webhook_deliveries_total{event="push",outcome="queued"}'), 1, 'counters are live');
    assert.equal(value(within, 'slipway_store_up'), 1);

    clock += 1;
    assert.equal(value((await cached.render()).body, series('web')), 1, 'read again once 5 s old');
  });

  it('reports job durations, runner phases, GitHub rate limits and store errors it is told of', async () => {
    metrics.job('push', 'completed', 0.2);
    metrics.runnerPhase('apply', false, 3);
    metrics.rateLimitRemaining(77, 4321);
    metrics.storeError('claim');
    const text = await scrape();
    assert.equal(value(text, 'slipway_job_duration_seconds_count{kind="push",outcome="completed"}'), 1);
    assert.equal(value(text, 'slipway_runner_phase_seconds_count{phase="apply",result="failed"}'), 1);
    assert.equal(value(text, 'slipway_github_rate_limit_remaining{installation="77"}'), 4321);
    assert.equal(value(text, 'slipway_store_errors_total{operation="claim"}'), 1);
  });

  it('times the jobs a worker runs, by kind and outcome', async () => {
    const { enqueue } = await import('../../src/jobs/enqueue.ts');
    const { runWorker } = await import('../../src/jobs/run-worker.ts');
    await enqueue(store.db, { kind: 'metrics.test.ok' });
    await enqueue(store.db, { kind: 'metrics.test.bad', maxAttempts: 1 });
    const controller = new AbortController();
    let ran = 0;
    const done = () => (++ran === 2 ? setTimeout(() => controller.abort(), 50) : undefined);
    await runWorker({
      store,
      workerId: 'metrics-test',
      pollMs: 20,
      signal: controller.signal,
      metrics,
      handlers: {
        'metrics.test.ok': async () => void done(),
        'metrics.test.bad': async () => {
          done();
          throw new Error('no');
        },
      },
    });
    const text = await scrape();
    assert.equal(value(text, 'slipway_job_duration_seconds_count{kind="metrics.test.ok",outcome="completed"}'), 1);
    assert.equal(value(text, 'slipway_job_duration_seconds_count{kind="metrics.test.bad",outcome="dead"}'), 1);
  });

  it('reports the GitHub rate limit an installation’s responses carry (through the GitHub double)', async () => {
    const { startGitHubDouble } = await import('../harness/github-double.ts');
    const { createGitHubApp } = await import('../../src/github/app-auth.ts');
    const gh = await startGitHubDouble();
    try {
      gh.addInstallation({ id: 31, account: 'acme', repositories: ['acme/limits'] });
      gh.addRepository('acme/limits', { defaultBranch: 'main' });
      const octokit = await createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url, retryBaseMs: 1, onRateLimitRemaining: metrics.rateLimitRemaining }).octokit(31);
      await octokit.rest.repos.get({ owner: 'acme', repo: 'limits' });
      assert.equal(value(await scrape(), 'slipway_github_rate_limit_remaining{installation="31"}'), 4999);
    } finally {
      await gh.close();
    }
  });

  it('says the store is down, and still answers, when the store cannot be read', async () => {
    const broken = await openStore({ dataDir: 'memory://' });
    const brokenMetrics = createServiceMetrics({ db: broken.db });
    await broken.close();
    const res = await brokenMetrics.render();
    assert.equal(value(res.body, 'slipway_store_up'), 0);
    assert.equal(value(res.body, 'slipway_store_errors_total{operation="scrape"}'), 1);
  });
});
