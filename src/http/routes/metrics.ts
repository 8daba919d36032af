/**
 * `POST /api/v1/metrics` (mounted under `/api/v1/metrics`, behind the API bearer token): metric
 * samples pushed to the store for recommendations.
 * - `application/json`: `{ "app", "service", "metric", "samples": [[timestamp, value], ...] }`, or
 *   an array of such objects; a sample may also be `{ "t": ..., "v": ... }`.
 * - `text/csv`: `timestamp,value` rows, with `?app=&service=&metric=` in the query string.
 * Timestamps are epoch seconds or ms, or ISO 8601. Values must be finite and ≥ 0. Bad input is a
 * 400 naming the first problem; nothing is stored from a rejected request.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { Name } from '../../config/schema.ts';
import { MetricsInputError } from '../../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../../recommend/sources/parse-metrics-csv.ts';
import { parseTimestamp } from '../../recommend/sources/parse-timestamp.ts';
import { metricNames } from '../../recommend/types.ts';
import { readBody } from '../read-body.ts';

export type MetricSampleRow = { app: string; service: string; metric: string; at: Date; value: number };

export type MetricsRouteDeps = {
  /** Store the rows (the store's `insertMetricSamples`); resolves to how many were written. */
  insertSamples: (samples: MetricSampleRow[]) => Promise<number>;
  maxBodyBytes?: number;
  /** At most this many samples per request (default 200,000). */
  maxSamples?: number;
};

const Metric = z.enum(metricNames);
const Point = z.union([
  z.tuple([z.union([z.number(), z.string()]), z.number()]),
  z.strictObject({ t: z.union([z.number(), z.string()]), v: z.number() }),
]);
const Series = z.strictObject({ app: Name, service: Name, metric: Metric, samples: z.array(Point) });
export const MetricsPush = z.union([Series, z.array(Series).min(1)]);
export type MetricsPush = z.infer<typeof MetricsPush>;
const CsvQuery = z.strictObject({ app: Name, service: Name, metric: Metric });

export function metricsRoute(deps: MetricsRouteDeps): Hono {
  const maxBodyBytes = deps.maxBodyBytes ?? 10 * 1024 * 1024;
  const maxSamples = deps.maxSamples ?? 200_000;
  const app = new Hono();
  app.post('/', async (c) => {
    let rows: MetricSampleRow[];
    // Client mistakes are answered here, so the route gives the same 4xx mounted or alone;
    // anything else (the store failing) goes to the app's error mapping.
    try {
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const text = new TextDecoder().decode(await readBody(c.req.raw, maxBodyBytes));
      if (type === 'application/json') rows = fromJson(text);
      else if (type === 'text/csv' || type === 'text/plain') rows = fromCsv(text, c.req.query());
      else throw bad(`unsupported content-type "${type || 'none'}": send application/json or text/csv`);
      if (rows.length === 0) throw bad('no samples in the request');
      if (rows.length > maxSamples) throw bad(`${rows.length} samples in one request; at most ${maxSamples}`);
    } catch (error) {
      if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
      throw error;
    }
    const written = await deps.insertSamples(rows);
    return c.json({ written });
  });
  return app;
}

function fromJson(text: string): MetricSampleRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`body is not valid JSON: ${(error as Error).message}`);
  }
  // Pick the shape first, so the error names the field rather than "invalid union".
  const parsed = Array.isArray(data) ? z.array(Series).min(1).safeParse(data) : Series.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`${issue.path.join('.') || 'body'}: ${issue.message}; expected { "app", "service", "metric", "samples": [[timestamp, value], ...] }`);
  }
  const rows: MetricSampleRow[] = [];
  for (const series of Array.isArray(parsed.data) ? parsed.data : [parsed.data]) {
    series.samples.forEach((point, index) => {
      const [rawT, v] = Array.isArray(point) ? point : [point.t, point.v];
      const t = parseTimestamp(rawT);
      const where = `${series.service}.${series.metric} sample ${index}`;
      if (t === undefined) throw bad(`${where}: "${String(rawT)}" is not a timestamp (epoch seconds or ms, or ISO 8601)`);
      rows.push(row(series, t, v, where));
    });
  }
  return rows;
}

function fromCsv(text: string, query: Record<string, string>): MetricSampleRow[] {
  const parsed = CsvQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`query parameter ${issue.path.join('.') || ''}: ${issue.message}; CSV needs ?app=&service=&metric=`);
  }
  let samples;
  try {
    samples = parseMetricsCsv(text, 'body');
  } catch (error) {
    if (error instanceof MetricsInputError) throw bad(error.message);
    throw error;
  }
  return samples.map((s, index) => row(parsed.data, s.t, s.v, `body row ${index + 1}`));
}

function row(series: { app: string; service: string; metric: string }, t: number, v: number, where: string): MetricSampleRow {
  if (!Number.isFinite(v)) throw bad(`${where}: value must be a finite number`);
  if (v < 0) throw bad(`${where}: value ${v} is negative; utilisation, rates and counts are ≥ 0`);
  return { app: series.app, service: series.service, metric: series.metric, at: new Date(t), value: v };
}

function bad(message: string): HTTPException {
  return new HTTPException(400, { message });
}
