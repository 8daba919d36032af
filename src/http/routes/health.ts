/**
 * `GET /healthz`: the process answers. `GET /readyz`: the database answers and every migration
 * this build ships is applied — a load balancer sends webhooks only to a ready instance.
 */
import { Hono } from 'hono';

export type Readiness = () => Promise<{ ready: boolean; reason?: string }>;

export function healthRoutes(readiness: Readiness): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    let result;
    try {
      result = await readiness();
    } catch (error) {
      result = { ready: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (!result.ready) {
      c.header('retry-after', '5');
      return c.json({ status: 'not ready', reason: result.reason }, 503);
    }
    return c.json({ status: 'ready' });
  });
  return app;
}
