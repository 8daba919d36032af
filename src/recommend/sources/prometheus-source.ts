/**
 * Metrics from Prometheus' HTTP API (`GET /api/v1/query_range`). One query per metric, from
 * `paas.yaml` `metrics.queries` with `{app}` and `{service}` replaced, or the defaults below.
 * Prometheus answers at most 11,000 points per series, so long ranges are fetched in chunks.
 * https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
 */
import { recommendationMetricNames, type MetricName, type Sample, type ServiceMetrics } from '../types.ts';
import { MetricsInputError } from './metrics-input-error.ts';

/** Utilisation in percent of the task's allocation, as the ECS/CloudWatch exporters name it. */
export const defaultQueries: Record<MetricName, string> = {
  cpu: 'avg(ecs_service_cpu_utilization_percent{app="{app}",service="{service}"})',
  memory: 'avg(ecs_service_memory_utilization_percent{app="{app}",service="{service}"})',
  requests: 'sum(rate(http_requests_total{app="{app}",service="{service}"}[5m]))',
  instances: 'sum(ecs_service_running_tasks{app="{app}",service="{service}"})',
  // Messages waiting in the queue a worker consumes (SQS ApproximateNumberOfMessagesVisible).
  backlog: 'sum(queue_backlog_messages{app="{app}",service="{service}"})',
  logs: 'sum(rate(log_bytes_total{app="{app}",service="{service}"}[5m]))',
  egress: 'sum(rate(network_transmit_bytes_total{app="{app}",service="{service}"}[5m]))',
  // What a deploy's verdict watches: 5xx answers per second, and the 95th percentile response time in ms.
  errors: 'sum(rate(http_requests_total{app="{app}",service="{service}",code=~"5.."}[1m]))',
  latency: '1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{app="{app}",service="{service}"}[1m])))',
};

const maxPointsPerQuery = 10_000;

export type PrometheusOptions = {
  url: string;
  app: string;
  service: string;
  /** Overrides per metric (paas.yaml `metrics.queries`). */
  queries?: Partial<Record<MetricName, string>>;
  /** Which metrics to ask for (default those recommendations use). */
  metrics?: MetricName[];
  start: number;
  end: number;
  stepSeconds?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

export type PrometheusResult = { metrics: ServiceMetrics; notes: string[] };

export function renderQuery(template: string, app: string, service: string): string {
  return template.replaceAll('{app}', app).replaceAll('{service}', service);
}

export async function fetchPrometheusMetrics(options: PrometheusOptions): Promise<PrometheusResult> {
  const names = options.metrics ?? [...recommendationMetricNames];
  const metrics: ServiceMetrics = {};
  const notes: string[] = [];
  for (const name of names) {
    const query = renderQuery(options.queries?.[name] ?? defaultQueries[name], options.app, options.service);
    const { samples, series } = await queryRange(query, options);
    if (series > 1) notes.push(`${name}: the query returned ${series} series; used the first (aggregate it, e.g. avg(...), to use them all)`);
    if (samples.length > 0) metrics[name] = samples;
  }
  return { metrics, notes };
}

async function queryRange(query: string, options: PrometheusOptions): Promise<{ samples: Sample[]; series: number }> {
  const step = options.stepSeconds ?? 60;
  const doFetch = options.fetch ?? fetch;
  const samples: Sample[] = [];
  let series = 0;
  const chunkMs = maxPointsPerQuery * step * 1000;
  for (let from = options.start; from < options.end; from += chunkMs) {
    const to = Math.min(options.end, from + chunkMs - step * 1000);
    const url = new URL('api/v1/query_range', options.url.endsWith('/') ? options.url : `${options.url}/`);
    url.searchParams.set('query', query);
    url.searchParams.set('start', String(from / 1000));
    url.searchParams.set('end', String(to / 1000));
    // Seconds as a plain number: Prometheus takes a float there (a fraction for sub-second steps).
    url.searchParams.set('step', String(step));
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (error) {
      throw new MetricsInputError(`Prometheus at ${options.url} did not answer: ${(error as Error).message}`, { cause: error });
    }
    const body = (await response.json().catch(() => undefined)) as PromResponse | undefined;
    if (!response.ok || body?.status !== 'success') {
      throw new MetricsInputError(`Prometheus query failed (HTTP ${response.status}): ${body?.error ?? 'no error message'}; query: ${query}`);
    }
    if (body.data?.resultType !== 'matrix') throw new MetricsInputError(`Prometheus returned ${body.data?.resultType ?? 'nothing'}, not a range (matrix); query: ${query}`);
    series = Math.max(series, body.data.result.length);
    const first = body.data.result[0];
    if (first) for (const [t, v] of first.values) samples.push({ t: Math.round(t * 1000), v: Number(v) });
  }
  return { samples, series };
}

type PromResponse = {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
};
