/**
 * `POST /api/v1/metrics` (mounted under `/api/v1/metrics`, behind the API bearer token): metric
 * samples pushed to the store for recommendations, for one repository's app (docs/recommendations.md).
 * - `application/json`: `{ "repository": "owner/name", "app", "service", "metric", "samples":
 *   [[timestamp, value], ...] }`, or an array of such objects; a sample may also be `{ "t", "v" }`.
 * - `text/csv`: `timestamp,value` rows, with `?repository=&app=&service=&metric=` in the query.
 * Timestamps are epoch seconds or ms, or ISO 8601. An impossible sample (a time outside 2000 to
 * tomorrow, a value that is not finite, negative, or beyond what the metric can be) is a 400 naming
 * it (`sample: { series, index, field }`); an unknown repository a 404; nothing is stored from a
 * refused request. A 503 means only that the store is down (checked, not assumed).
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { Name } from '../../config/schema.ts';
import { checkSeries, type CheckedSeries, type SeriesHeader } from '../../metrics/check-series.ts';
import { IntakeError } from '../../metrics/intake-error.ts';
import { metricNames } from '../../metrics/sample-bounds.ts';
import { MetricsInputError } from '../../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../../recommend/sources/parse-metrics-csv.ts';
import { readBody } from '../read-body.ts';
import { ServiceUnavailableError } from '../service-unavailable.ts';

export type MetricsRouteDeps = {
  /** Store checked series (`storeSeries` of src/metrics); resolves to how many rows were written. */
  storeSeries: (series: CheckedSeries[]) => Promise<number>;
  /** Whether the store answers at all: a failed write is a 503 only when it does not. */
  storeIsUp: () => Promise<boolean>;
  now?: () => number;
  maxBodyBytes?: number;
  /** At most this many samples per request (default 200,000). */
  maxSamples?: number;
};

const Repository = z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'must be a repository as owner/name');
const Metric = z.enum(metricNames);
const Header = { repository: Repository, app: Name, service: Name, metric: Metric };
const Series = z.strictObject({ ...Header, samples: z.array(z.unknown()) });
const CsvQuery = z.strictObject(Header);
const shape = '{ "repository": "owner/name", "app", "service", "metric", "samples": [[timestamp, value], ...] }';

export function metricsRoute(deps: MetricsRouteDeps): Hono {
  const maxBodyBytes = deps.maxBodyBytes ?? 10 * 1024 * 1024;
  const maxSamples = deps.maxSamples ?? 200_000;
  const now = deps.now ?? Date.now;
  const app = new Hono();
  app.post('/', async (c) => {
    let series: CheckedSeries[];
    // Client mistakes are answered here, so the route gives the same 4xx mounted or alone;
    // anything else (the store failing) goes to the app's error mapping.
    try {
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const text = new TextDecoder().decode(await readBody(c.req.raw, maxBodyBytes));
      if (type === 'application/json') series = await fromJson(text, maxSamples, now());
      else if (type === 'text/csv' || type === 'text/plain') series = await fromCsv(text, c.req.query(), maxSamples, now());
      else throw bad(`unsupported content-type "${type || 'none'}": send application/json or text/csv`);
      if (series.every((s) => s.times.length === 0)) throw bad('no samples in the request');
      return c.json({ written: await store(deps, series) });
    } catch (error) {
      if (error instanceof IntakeError) return c.json({ error: error.message, ...(error.sample ? { sample: error.sample } : {}) }, error.status);
      if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
      throw error;
    }
  });
  return app;
}

async function store(deps: MetricsRouteDeps, series: CheckedSeries[]): Promise<number> {
  try {
    return await deps.storeSeries(series);
  } catch (error) {
    if (error instanceof IntakeError) throw error;
    // The samples were checked: a write that still fails is the store's. A client retries on 503,
    // so say 503 only when the store is really unreachable; otherwise it is our bug (500).
    if (!(await deps.storeIsUp().catch(() => false))) {
      throw new ServiceUnavailableError('the store cannot take metric samples right now', { cause: error, retryAfterSeconds: 10 });
    }
    throw error;
  }
}

async function fromJson(text: string, maxSamples: number, now: number): Promise<CheckedSeries[]> {
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
    throw bad(`${issue.path.join('.') || 'body'}: ${issue.message}; expected ${shape}`);
  }
  const all = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const total = all.reduce((sum, s) => sum + s.samples.length, 0);
  if (total > maxSamples) throw bad(`${total} samples in one request; at most ${maxSamples}`);
  const out: CheckedSeries[] = [];
  for (const [index, { samples, ...header }] of all.entries()) {
    out.push(await checkSeries(header as SeriesHeader, samples, { series: index, now }));
  }
  return out;
}

async function fromCsv(text: string, query: Record<string, string>, maxSamples: number, now: number): Promise<CheckedSeries[]> {
  const parsed = CsvQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`query parameter ${issue.path.join('.') || ''}: ${issue.message}; CSV needs ?repository=owner/name&app=&service=&metric=`);
  }
  let samples;
  try {
    samples = parseMetricsCsv(text, 'body');
  } catch (error) {
    if (error instanceof MetricsInputError) throw bad(error.message);
    throw error;
  }
  if (samples.length > maxSamples) throw bad(`${samples.length} samples in one request; at most ${maxSamples}`);
  return [await checkSeries(parsed.data as SeriesHeader, samples, { series: 0, now, label: (index) => `data row ${index + 1}` })];
}

function bad(message: string): IntakeError {
  return new IntakeError('bad_request', message);
}
