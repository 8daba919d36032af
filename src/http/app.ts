/**
 * The HTTP surface, built from `deps` (no singletons): webhooks, health, `/metrics` for
 * Prometheus, and API v1 (`/api/v1`, behind issued tokens or `SLIPWAY_API_TOKEN`; docs/api.md).
 * Every error is mapped here, once: a client's mistake is a 4xx with a one-line reason, a store
 * that cannot take a delivery is a 503 with `Retry-After` (GitHub redelivers), and nothing else
 * is expected.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Db } from '../store/db.ts';
import { apiV1 } from './api/v1.ts';
import { createDeliveryWriter, type DeliveryWriter } from '../intake/delivery-writer.ts';
import type { CheckedSeries } from '../metrics/check-series.ts';
import type { ReadSeries } from '../metrics/read-series.ts';
import { storeSeries } from '../metrics/store-series.ts';
import { migrationStatus } from '../store/migration-status.ts';
import { causeMessage } from '../store/store-error.ts';
import type { LogFields } from '../ops/log-fields.ts';
import type { ServiceMetrics } from '../ops/service-metrics.ts';
import { metricsRoute } from './routes/metrics.ts';
import { prometheusRoute } from './routes/prometheus.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { ServiceUnavailableError } from './service-unavailable.ts';
import { storeReadiness } from './store-readiness.ts';

export type HttpDeps = {
  db: Db;
  webhookSecret: string;
  /** Accepted too while the webhook secret is rotated (`WEBHOOK_SECRET_PREVIOUS`). */
  previousWebhookSecret?: string;
  /** `SLIPWAY_API_TOKEN`: an admin token for every repository, beside those `slipway token create` issues. */
  apiToken?: string;
  /** API requests a minute per token (default 600). */
  apiRateLimit?: number;
  /** The client's address for the audit log (`slipway serve`: the socket's; Workers: `cf-connecting-ip`). */
  clientAddress?: (c: Context) => string | undefined;
  writer?: DeliveryWriter;
  readiness?: Readiness;
  maxBodyBytes?: number;
  log?: (message: string, fields?: LogFields) => void;
  /** The service's Prometheus metrics: fed by the webhook route, served at `GET /metrics`. */
  metrics?: Pick<ServiceMetrics, 'delivery' | 'storeError' | 'apiRequest' | 'render'>;
  /** Bearer token `GET /metrics` asks for; unset, it is open (bind the port privately). */
  metricsToken?: string;
  /** How metric request bodies are read and checked (`slipway serve`: in a thread of its own). */
  readMetrics?: ReadSeries;
  /** How checked metric series are stored (`slipway serve` on PGlite: in the store's thread). Default: `storeSeries` on `db`. */
  storeMetrics?: (series: CheckedSeries[]) => Promise<number>;
};

export function createHttpApp(deps: HttpDeps): Hono {
  const log = deps.log ?? ((message: string) => console.error(message));
  const writer = deps.writer ?? createDeliveryWriter(deps.db);
  const app = new Hono();

  app.route('/', healthRoutes(deps.readiness ?? storeReadiness(deps.db)));
  const metrics = deps.metrics;
  app.route('/webhooks/github', webhookRoutes({ webhookSecret: deps.webhookSecret, previousWebhookSecret: deps.previousWebhookSecret, writer, maxBodyBytes: deps.maxBodyBytes, ...(metrics ? { observe: metrics.delivery } : {}) }));
  if (metrics) app.route('/metrics', prometheusRoute({ render: metrics.render, ...(deps.metricsToken ? { token: deps.metricsToken } : {}) }));
  // API v1 is built on its first request: the Workers entry builds this app for every request,
  // and building the API's routes and OpenAPI registry took about 5 ms (loaded machine) that a
  // webhook delivery never needs.
  let api: Hono | undefined;
  const buildApi = () =>
    new Hono().route(
      '/api/v1',
      apiV1({
        db: deps.db,
        ...(deps.apiToken ? { legacyToken: deps.apiToken } : {}),
        ...(deps.apiRateLimit ? { rateLimitPerMinute: deps.apiRateLimit } : {}),
        ...(deps.clientAddress ? { clientAddress: deps.clientAddress } : {}),
        log,
        ...(metrics ? { onStoreError: () => metrics.storeError('api'), onRequest: metrics.apiRequest } : {}),
        // The metrics intake for recommendations (role deploy).
        metricsIntake: metricsRoute({ storeSeries: deps.storeMetrics ?? ((series) => storeSeries(deps.db, series)), storeIsUp: () => storeAnswers(deps.db), readSeries: deps.readMetrics }),
      }),
    );
  const toApi = (c: Context) => (api ??= buildApi()).fetch(c.req.raw, c.env);
  app.all('/api/v1', toApi);
  app.all('/api/v1/*', toApi);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      return c.json({ error: error.message || 'bad request' }, error.status);
    }
    if (error instanceof ServiceUnavailableError) {
      metrics?.storeError(c.req.path.startsWith('/webhooks') ? 'delivery' : 'api');
      log(`slipway: 503 ${c.req.method} ${c.req.path}: ${error.message}: ${causeText(error.cause)}`, { level: 'error', ...deliveryOf(c.req.header('x-github-delivery')) });
      c.header('retry-after', String(error.retryAfterSeconds));
      return c.json({ error: error.message }, 503);
    }
    log(`slipway: 500 ${c.req.method} ${c.req.path}: ${causeText(error)}`, { level: 'error', ...deliveryOf(c.req.header('x-github-delivery')) });
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/** A round trip, bounded: a store that does not answer within 2 s counts as down. */
async function storeAnswers(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2_000)));
  try {
    return await Promise.race([migrationStatus(db).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The delivery id a log line is about (bounded: it is a header anyone can send). */
function deliveryOf(header: string | undefined): { delivery?: string } {
  return header ? { delivery: header.slice(0, 128) } : {};
}

/** The driver's reason, never Drizzle's "Failed query: <sql> params: <every value>" (a request's whole payload). */
function causeText(error: unknown): string {
  return causeMessage(error);
}
