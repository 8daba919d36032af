/**
 * `GET /metrics`: the service's figures in Prometheus' text format (src/ops/service-metrics.ts),
 * behind `SLIPWAY_METRICS_TOKEN` when one is set (a bearer token, compared in constant time).
 */
import { Hono } from 'hono';
import type { ServiceMetrics } from '../../ops/service-metrics.ts';
import { bearerToken } from '../bearer-token.ts';

export function prometheusRoute(deps: { render: ServiceMetrics['render']; token?: string }): Hono {
  const app = new Hono();
  if (deps.token) app.use(bearerToken(deps.token));
  app.get('/', async (c) => {
    const { contentType, body } = await deps.render();
    return c.body(body, 200, { 'content-type': contentType });
  });
  return app;
}
