/**
 * `slipway recommend [dir] --metrics FILE|URL [--env NAME] [--format text|json]`: right-sizing,
 * instances, schedule and anomaly recommendations for every web, worker and cron service.
 * FILE is a JSON metrics document (`{ "<service>": { "cpu": [[ts, v], ...] } }`) or a
 * `timestamp,value` CSV with `--service` and `--metric`; URL is a Prometheus base URL (queries
 * from `paas.yaml` `metrics.queries`, or the defaults). Exit 0 with recommendations or none,
 * 1 on unreadable input, 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatConfigError, loadApps, resolveEnvironment } from '../config/load.ts';
import { durationToSeconds } from '../config/units.ts';
import { recommendApp } from '../recommend/recommend-app.ts';
import type { ServiceRecommendation } from '../recommend/recommend-service.ts';
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../recommend/sources/parse-metrics-csv.ts';
import { parseMetricsJson } from '../recommend/sources/parse-metrics-json.ts';
import { fetchPrometheusMetrics } from '../recommend/sources/prometheus-source.ts';
import { toSummary } from '../recommend/to-summary.ts';
import { metricNames, type MetricName, type RecommendationSummary, type ServiceMetrics } from '../recommend/types.ts';
import type { CliIo } from './io.ts';

const usage = `Usage: slipway recommend [dir] --metrics FILE|URL [--env NAME] [--format text|json] [--service S --metric ${metricNames.join('|')} (CSV)]\n`;

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { metrics?: string; env?: string; format?: string; service?: string; metric?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { metrics: { type: 'string' }, env: { type: 'string' }, format: { type: 'string' }, service: { type: 'string' }, metric: { type: 'string' } },
    }));
  } catch (error) {
    io.stderr(`slipway recommend: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const format = values.format ?? 'text';
  const fail = (message: string, code = 2) => (io.stderr(`slipway recommend: ${message}\n${code === 2 ? usage : ''}`), code);
  if (format !== 'text' && format !== 'json') return fail(`--format must be text or json, got "${format}"`);
  if (!values.metrics) return fail('--metrics FILE|URL is required');
  if (positionals.length > 1) return fail(`expected at most one directory, got ${positionals.length}`);
  const isUrl = /^https?:\/\//i.test(values.metrics);
  const isCsv = !isUrl && values.metrics.toLowerCase().endsWith('.csv');
  if (isCsv && (!values.service || !values.metric)) return fail('a CSV file holds one series: give --service and --metric');
  if (values.metric && !(metricNames as readonly string[]).includes(values.metric)) return fail(`--metric must be one of ${metricNames.join(', ')}`);

  const root = resolve(io.cwd, positionals[0] ?? '.');
  const loaded = await loadApps(root);
  const display = (file: string) => relative(io.cwd, resolve(root, file)) || file;
  for (const error of loaded.errors) io.stderr(`${formatConfigError({ ...error, file: display(error.file) })}\n`);
  if (loaded.errors.length > 0) return 1;
  if (loaded.apps.length === 0) return fail(`no paas.yaml found under ${positionals[0] ?? '.'}`, 1);

  let fileMetrics: Record<string, ServiceMetrics> | undefined;
  try {
    if (!isUrl) {
      const text = await readFile(resolve(io.cwd, values.metrics), 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new MetricsInputError(`${values.metrics}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      });
      fileMetrics = isCsv
        ? { [values.service as string]: { [values.metric as MetricName]: parseMetricsCsv(text, values.metrics) } }
        : parseMetricsJson(text, values.metrics);
    }
    const report = [];
    for (const app of loaded.apps) {
      const environment = values.env ?? 'production';
      const config = resolveEnvironment(app.config, environment);
      let metrics: Record<string, ServiceMetrics | undefined> = fileMetrics ?? {};
      const notes: string[] = [];
      if (isUrl) {
        metrics = {};
        const end = Date.now();
        const start = end - durationToSeconds(config.metrics?.lookback ?? '14d') * 1000;
        for (const service of Object.keys(config.services)) {
          const got = await fetchPrometheusMetrics({ url: values.metrics, app: config.name, service, queries: config.metrics?.queries, start, end });
          metrics[service] = got.metrics;
          notes.push(...got.notes.map((n) => `${service}: ${n}`));
        }
      } else if (fileMetrics) {
        for (const name of Object.keys(fileMetrics)) if (!config.services[name]) notes.push(`metrics for "${name}", which is not a service of ${config.name}; ignored`);
      }
      const services = recommendApp(config, metrics);
      const context = { file: display(app.file), locate: (path: (string | number)[]) => app.locate(path), source: app.source, ...(values.env ? { environment } : {}) };
      const summaries = services.flatMap((s) => toSummary(s, context));
      report.push({ app: config.name, file: display(app.file), environment, notes, services, summaries });
    }
    if (format === 'json') io.stdout(`${JSON.stringify({ apps: report }, null, 2)}\n`);
    else for (const entry of report) io.stdout(renderText(entry));
    return 0;
  } catch (error) {
    if (error instanceof MetricsInputError) return fail(error.message, 1);
    throw error;
  }
}

function renderText(entry: { app: string; file: string; environment: string; notes: string[]; services: ServiceRecommendation[]; summaries: RecommendationSummary[] }): string {
  const lines = [`${entry.app} (${entry.file}, ${entry.environment})`];
  for (const note of entry.notes) lines.push(`  note: ${note}`);
  if (entry.services.length === 0) lines.push('  no metrics for any web, worker or cron service');
  for (const service of entry.services) {
    const saving = service.monthlySaving;
    lines.push(`  ${service.service}: ${service.status === 'ok' ? `confidence ${Math.round(service.confidence * 100)} %, ${saving >= 0 ? 'saves' : 'adds'} $${Math.abs(saving).toFixed(2)}/month` : 'not enough data'}`);
    const mine = entry.summaries.filter((s) => s.service === service.service);
    if (service.status === 'ok' && mine.length === 0) lines.push('    no change recommended');
    for (const s of mine) {
      const money = s.monthlySaving === 0 ? '' : ` (${s.monthlySaving > 0 ? 'saves' : 'adds'} $${Math.abs(s.monthlySaving).toFixed(2)}/month)`;
      lines.push(`    ${s.title}${money}`);
      lines.push(`      ${s.detail}`);
      if (s.suggestion) lines.push(`      ${s.suggestion.file}:${s.suggestion.line}: ${s.suggestion.replacement.split('\n').join(' / ').trim()}`);
    }
    for (const note of service.notes) lines.push(`    data: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
