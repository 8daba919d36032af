// Writes ops/grafana/slipway.json, the Grafana dashboard (import it, pick the Prometheus data
// source). Kept as a script so that panels stay consistent; `node ops/grafana/build-dashboard.mjs`.
// test/ops/ops-files.test.ts checks that the JSON is what this script writes and that every query
// names a metric the service exports.
import { writeFileSync } from 'node:fs';

const ds = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
let id = 0;
const panel = (title, type, targets, grid, extra = {}) => ({
  id: ++id,
  title,
  type,
  datasource: ds,
  gridPos: grid,
  targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: ds })),
  ...extra,
});
const unit = (u) => ({ fieldConfig: { defaults: { unit: u }, overrides: [] } });
const row = (title, y) => ({ id: ++id, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });

const panels = [
  row('Webhooks', 0),
  panel('Deliveries by outcome', 'timeseries', [['sum by (outcome) (rate(slipway_webhook_deliveries_total[$__rate_interval]))', '{{outcome}}']], { h: 8, w: 8, x: 0, y: 1 }, unit('reqps')),
  panel('Deliveries by event', 'timeseries', [['sum by (event) (rate(slipway_webhook_deliveries_total{outcome=~"queued|recorded"}[$__rate_interval]))', '{{event}}']], { h: 8, w: 8, x: 8, y: 1 }, unit('reqps')),
  panel(
    'Ingest latency (verify, store, commit)',
    'timeseries',
    [
      ['histogram_quantile(0.5, sum by (le) (rate(slipway_webhook_ingest_seconds_bucket{outcome="queued"}[$__rate_interval])))', 'p50'],
      ['histogram_quantile(0.99, sum by (le) (rate(slipway_webhook_ingest_seconds_bucket{outcome="queued"}[$__rate_interval])))', 'p99'],
    ],
    { h: 8, w: 8, x: 16, y: 1 },
    unit('s'),
  ),
  row('Queue and jobs', 9),
  panel('Jobs waiting, by kind', 'timeseries', [['sum by (kind) (slipway_jobs_queued)', '{{kind}}']], { h: 8, w: 8, x: 0, y: 10 }, unit('short')),
  panel('Oldest waiting job, by kind', 'timeseries', [['max by (kind) (slipway_jobs_oldest_queued_age_seconds)', '{{kind}}']], { h: 8, w: 8, x: 8, y: 10 }, unit('s')),
  panel('Job duration p95, by kind', 'timeseries', [['histogram_quantile(0.95, sum by (le, kind) (rate(slipway_job_duration_seconds_bucket[$__rate_interval])))', '{{kind}}']], { h: 8, w: 8, x: 16, y: 10 }, unit('s')),
  row('Deployments', 18),
  panel('Deployments by status', 'bargauge', [['sum by (status) (slipway_deployments)', '{{status}}']], { h: 8, w: 8, x: 0, y: 19 }, unit('short')),
  panel('Environments whose latest deployment failed', 'table', [['max by (repository, app, environment, status) (slipway_environment_deployment_status{status=~"failed|interrupted"}) == 1', '{{repository}} {{app}}/{{environment}}']], { h: 8, w: 8, x: 8, y: 19 }, { options: { showHeader: true } }),
  panel('Runner phase duration p95', 'timeseries', [['histogram_quantile(0.95, sum by (le, phase) (rate(slipway_runner_phase_seconds_bucket[$__rate_interval])))', '{{phase}}']], { h: 8, w: 8, x: 16, y: 19 }, unit('s')),
  row('GitHub, store and API', 27),
  panel('GitHub rate limit left, by installation', 'timeseries', [['min by (installation) (slipway_github_rate_limit_remaining)', '{{installation}}']], { h: 8, w: 8, x: 0, y: 28 }, unit('short')),
  panel('Store', 'timeseries', [['min(slipway_store_up)', 'store up'], ['sum by (operation) (rate(slipway_store_errors_total[$__rate_interval]))', 'errors: {{operation}}']], { h: 8, w: 8, x: 8, y: 28 }, unit('short')),
  panel('Environments drifted from their applied deployment', 'table', [['max by (repository, app, environment) (slipway_environment_drift_status{status="drifted"}) == 1', '{{repository}} {{app}}/{{environment}}']], { h: 8, w: 8, x: 0, y: 37 }, { options: { showHeader: true } }),
  panel('API requests by status', 'timeseries', [['sum by (status) (rate(slipway_api_requests_total[$__rate_interval]))', '{{status}}']], { h: 8, w: 8, x: 16, y: 28 }, unit('reqps')),
];

const dashboard = {
  __inputs: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
  title: 'Slipway',
  uid: 'slipway',
  description: 'Webhook intake, job queue, deployments, GitHub rate limits and the store (docs/operations.md).',
  tags: ['slipway'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: { list: [] },
  annotations: { list: [] },
  panels,
};

const target = new URL('./slipway.json', import.meta.url);
const text = `${JSON.stringify(dashboard, null, 2)}\n`;
if (process.argv.includes('--print')) process.stdout.write(text);
else writeFileSync(target, text);
