/**
 * The HTTP surface, built from `deps` (no singletons): webhooks, health, and the metrics API.
 * Every error is mapped here, once: a client's mistake is a 4xx with a one-line reason, a store
 * that cannot take a delivery is a 503 with `Retry-After` (GitHub redelivers), and nothing else
 * is expected.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../store/db.ts';
import { bearerToken } from './bearer-token.ts';
import { createDeliveryWriter, type DeliveryWriter } from './delivery-writer.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { ServiceUnavailableError } from './service-unavailable.ts';
import { storeReadiness } from './store-readiness.ts';

export type HttpDeps = {
  db: Db;
  webhookSecret: string;
  /** Bearer token protecting `/api/v1/*`; without one, the API answers 404. */
  apiToken?: string;
  /** Routes served under `/api/v1/metrics` (the recommendations engineer's metrics intake). */
  metricsRoutes?: Hono;
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
  app.route('/webhooks/github', webhookRoutes({ webhookSecret: deps.webhookSecret, writer, maxBodyBytes: deps.maxBodyBytes }));
  if (deps.metricsRoutes && deps.apiToken) {
    app.use('/api/v1/*', bearerToken(deps.apiToken));
    app.route('/api/v1/metrics', deps.metricsRoutes);
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

function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
