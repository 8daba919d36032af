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
import type { CheckedSeries } from '../../metrics/check-series.ts';
import { IntakeError } from '../../metrics/intake-error.ts';
import { readSeries as readSeriesHere, type ReadSeries } from '../../metrics/read-series.ts';
import { readBody } from '../read-body.ts';
import { ServiceUnavailableError } from '../service-unavailable.ts';

export type MetricsRouteDeps = {
  /** Store checked series (`storeSeries` of src/metrics); resolves to how many samples were written. */
  storeSeries: (series: CheckedSeries[]) => Promise<number>;
  /** Whether the store answers at all: a failed write is a 503 only when it does not. */
  storeIsUp: () => Promise<boolean>;
  /** Body → checked series; `slipway serve` passes one that works in a thread of its own. Default: here. */
  readSeries?: ReadSeries;
  now?: () => number;
  maxBodyBytes?: number;
  /** At most this many samples per request (default 200,000). */
  maxSamples?: number;
};

export function metricsRoute(deps: MetricsRouteDeps): Hono {
  const maxBodyBytes = deps.maxBodyBytes ?? 10 * 1024 * 1024;
  const maxSamples = deps.maxSamples ?? 200_000;
  const now = deps.now ?? Date.now;
  const readSeries = deps.readSeries ?? readSeriesHere;
  const app = new Hono();
  app.post('/', async (c) => {
    // Client mistakes are answered here, so the route gives the same 4xx mounted or alone;
    // anything else (the store failing) goes to the app's error mapping.
    try {
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const body = await readBody(c.req.raw, maxBodyBytes);
      const series = await readSeries({ body, type, query: c.req.query(), maxSamples, now: now() });
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
