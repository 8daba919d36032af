/**
 * The JSON metrics document: `{ "<service>": { "cpu": [[ts, v], ...], "memory": [...], "backlog": [...],
 * "requests": [...], "instances": [...] } }`. `ts` is epoch seconds or ms, or an ISO string; `v` a
 * number (null for a missing point). cpu and memory are percent of the service's current allocation.
 */
import { z } from 'zod';
import { metricNames, type MetricName, type Sample, type ServiceMetrics } from '../types.ts';
import { MetricsInputError } from './metrics-input-error.ts';
import { parseTimestamp } from './parse-timestamp.ts';

const Point = z.union([
  z.tuple([z.union([z.number(), z.string()]), z.number().nullable()]),
  z.strictObject({ t: z.union([z.number(), z.string()]), v: z.number().nullable() }),
]);
export const MetricsDocument = z.record(
  z.string(),
  z.strictObject(Object.fromEntries(metricNames.map((name) => [name, z.array(Point).optional()])) as Record<MetricName, z.ZodOptional<z.ZodArray<typeof Point>>>),
);
export type MetricsDocument = z.infer<typeof MetricsDocument>;

export function parseMetricsJson(text: string, file = 'input'): Record<string, ServiceMetrics> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MetricsInputError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = MetricsDocument.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MetricsInputError(`${file}: at ${issue.path.join('.') || '(top)'}: ${issue.message}; expected { "<service>": { "cpu": [[timestamp, value], ...] } }`);
  }
  const out: Record<string, ServiceMetrics> = {};
  for (const [service, metrics] of Object.entries(parsed.data)) {
    const series: ServiceMetrics = {};
    for (const [name, points] of Object.entries(metrics) as [MetricName, z.infer<typeof Point>[] | undefined][]) {
      if (!points) continue;
      series[name] = points.map((point, index): Sample => {
        const [rawT, rawV] = Array.isArray(point) ? point : [point.t, point.v];
        const t = parseTimestamp(rawT);
        if (t === undefined) throw new MetricsInputError(`${file}: ${service}.${name}[${index}]: "${String(rawT)}" is not a timestamp`);
        return { t, v: rawV ?? Number.NaN };
      });
    }
    out[service] = series;
  }
  return out;
}
