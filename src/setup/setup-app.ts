/**
 * What `slipway serve` answers in set-up mode: health, the set-up page, and 503 with
 * `Retry-After` for webhooks (GitHub pings a new App's webhook before Slipway has its secret; a
 * 503 shows up as failed in the App's "Recent deliveries", from where it can be redelivered).
 * Everything else is 404: no dashboard, no API until the App exists.
 */
import { Hono } from 'hono';
import { healthRoutes, type Readiness } from '../http/routes/health.ts';
import { githubWebUrl } from '../settings/settings.ts';
import { setupContentSecurityPolicy, setupRoutes, type SetupDeps } from './setup-routes.ts';

export function setupApp(deps: SetupDeps & { readiness: Readiness }): Hono {
  const log = deps.log ?? ((message: string) => console.error(message));
  const app = new Hono();
  // The set-up pages carry no script; their forms post to Slipway and to GitHub only.
  app.use('/setup/*', async (c, next) => {
    await next();
    // A page posting to a GitHub Enterprise Server named on the form sets its own (the same policy naming that server).
    if (!c.res.headers.has('content-security-policy')) c.header('content-security-policy', setupContentSecurityPolicy(deps.settings.githubUrl ?? githubWebUrl(deps.settings.githubApiUrl)));
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-store');
  });
  app.route('/', healthRoutes(deps.readiness));
  app.route('/setup', setupRoutes(deps));
  app.post('/webhooks/github', (c) => {
    c.header('retry-after', '60');
    return c.json({ error: 'Slipway is not set up yet: no webhook secret to check this delivery with' }, 503);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    log(`slipway: 500 ${c.req.method} ${c.req.path} (set-up): ${error instanceof Error ? error.message : String(error)}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
