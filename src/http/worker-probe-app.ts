/**
 * What a worker-role process (`SLIPWAY_ROLE=worker`) answers on `SLIPWAY_WORKER_PORT`: `/healthz`,
 * `/readyz` (the store answers and is migrated) and `/metrics` (its jobs, runner phases and
 * GitHub rate limits, which only a process that works jobs has), behind `SLIPWAY_METRICS_TOKEN`
 * when one is set. Nothing else: no webhooks, no API, no dashboard.
 */
import { Hono } from 'hono';
import type { ServiceMetrics } from '../ops/service-metrics.ts';
import type { Db } from '../store/db.ts';
import { healthRoutes } from './routes/health.ts';
import { prometheusRoute } from './routes/prometheus.ts';
import { storeReadiness } from './store-readiness.ts';

export function workerProbeApp(deps: { db: Db; metrics: Pick<ServiceMetrics, 'render'>; metricsToken?: string }): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(storeReadiness(deps.db)));
  app.route('/metrics', prometheusRoute({ render: deps.metrics.render, ...(deps.metricsToken ? { token: deps.metricsToken } : {}) }));
  app.notFound((c) => c.json({ error: 'a worker process answers /healthz, /readyz and /metrics only' }, 404));
  return app;
}
