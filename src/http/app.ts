/**
 * The HTTP surface, built from `deps` (no singletons): webhooks, health, and the metrics API
 * (`/api/v1/metrics`, only when `SLIPWAY_API_TOKEN` is set, behind that bearer token).
 * Every error is mapped here, once: a client's mistake is a 4xx with a one-line reason, a store
 * that cannot take a delivery is a 503 with `Retry-After` (GitHub redelivers), and nothing else
 * is expected.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../store/db.ts';
import { bearerToken } from './bearer-token.ts';
import { createDeliveryWriter, type DeliveryWriter } from '../intake/delivery-writer.ts';
import { metricsRoute, type MetricSampleRow } from './routes/metrics.ts';
import { insertMetricSamples } from '../store/metric-samples.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { ServiceUnavailableError } from './service-unavailable.ts';
import { storeReadiness } from './store-readiness.ts';

export type HttpDeps = {
  db: Db;
  webhookSecret: string;
  /** Accepted too while the webhook secret is rotated (`WEBHOOK_SECRET_PREVIOUS`). */
  previousWebhookSecret?: string;
  /** Bearer token protecting `/api/v1/*`; without one, the API answers 404. */
  apiToken?: string;
  writer?: DeliveryWriter;
  readiness?: Readiness;
  maxBodyBytes?: number;
  log?: (message: string) => void;
};

export function createHttpApp(deps: HttpDeps): Hono {
  const log = deps.log ?? ((message: string) => console.error(message));
  const writer = deps.writer ?? createDeliveryWriter(deps.db);
  const app = new Hono();

  app.route('/', healthRoutes(deps.readiness ?? storeReadiness(deps.db)));
  app.route('/webhooks/github', webhookRoutes({ webhookSecret: deps.webhookSecret, previousWebhookSecret: deps.previousWebhookSecret, writer, maxBodyBytes: deps.maxBodyBytes }));
  if (deps.apiToken) {
    // The metrics intake for recommendations: only with a token set (no token, no API).
    app.use('/api/v1/*', bearerToken(deps.apiToken));
    app.route('/api/v1/metrics', metricsRoute({ insertSamples: (rows) => storeSamples(deps.db, rows) }));
  }

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      return c.json({ error: error.message || 'bad request' }, error.status);
    }
    if (error instanceof ServiceUnavailableError) {
      log(`slipway: 503 ${c.req.method} ${c.req.path}: ${error.message}: ${causeText(error.cause)}`);
      c.header('retry-after', String(error.retryAfterSeconds));
      return c.json({ error: error.message }, 503);
    }
    log(`slipway: 500 ${c.req.method} ${c.req.path}: ${causeText(error)}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

async function storeSamples(db: Db, rows: MetricSampleRow[]): Promise<number> {
  try {
    return await insertMetricSamples(db, rows);
  } catch (error) {
    throw new ServiceUnavailableError('the store cannot take metric samples right now', { cause: error, retryAfterSeconds: 10 });
  }
}

function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
