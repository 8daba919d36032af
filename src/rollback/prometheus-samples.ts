/**
 * A verdict's samples read from Prometheus (`rollback.metrics: [{ name, prometheus: <PromQL> }]`):
 * the query, with `{app}` and `{service}` replaced, through the HTTP API's `/api/v1/query_range`
 * at one point a minute (finer for a watch under 15 minutes; the recommendation source's reader, prometheus-source.ts), the window
 * half-open as the store reads it. The server is Slipway's own setting (`SLIPWAY_PROMETHEUS_URL`),
 * never paas.yaml's: a repository must not point Slipway's requests at an address of its choosing.
 */
import type { MetricName } from '../recommend/types.ts';
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import { fetchPrometheusMetrics } from '../recommend/sources/prometheus-source.ts';
import type { ReadSamples } from '../recommend/sources/store-source.ts';

/** One point a minute, or finer for a short watch: at least `pointsPerWatch` in the watch. */
export const pointsPerWatch = 15;
export function prometheusStepSeconds(watchMs: number): number {
  return Math.min(60, watchMs / pointsPerWatch / 1000);
}

export function prometheusSamples(input: { url: string | undefined; queries: Partial<Record<string, string>>; stepSeconds: number; fetch?: typeof fetch }): ReadSamples {
  return async (app, service, metric, from, to) => {
    const query = input.queries[metric];
    if (query === undefined) throw new Error(`no Prometheus query for ${metric}`);
    if (!input.url) throw new MetricsInputError(`rollback.metrics reads ${metric} from Prometheus, but this Slipway has no Prometheus server: set SLIPWAY_PROMETHEUS_URL (e.g. http://prometheus:9090)`);
    const start = from.getTime();
    const end = to.getTime();
    if (end <= start) return [];
    const name = metric as MetricName;
    const { metrics } = await fetchPrometheusMetrics({ url: input.url, app, service, queries: { [name]: query }, metrics: [name], start, end, stepSeconds: input.stepSeconds, ...(input.fetch ? { fetch: input.fetch } : {}) });
    return (metrics[name] ?? []).filter((s) => s.t >= start && s.t < end && Number.isFinite(s.v)).map((s) => ({ at: new Date(s.t), value: s.v }));
  };
}
