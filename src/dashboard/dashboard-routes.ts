/**
 * The dashboard (`/dashboard`), server-rendered, readable without JavaScript. In order:
 *  - sign-in: with GitHub (the App's OAuth client; what a person sees is what GitHub lists for
 *    them) or with the API token (the operator: everything); a signed, http-only session cookie;
 *  - the overview (apps × environments), an app (deployments, cost, recommendations), a
 *    deployment (plan, cost, policies, history, the log, followed while it runs);
 *  - Apply and Rollback, for people who can push to the repository, each POST carrying the
 *    session's CSRF token and coming from this site.
 * Every read goes through named queries in src/store/ (the API reuses them).
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { LruMap } from '../lru-map.ts';
import { appEnvironmentOverview, repositoryIdsByName } from '../store/app-environment-overview.ts';
import type { Db } from '../store/db.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';
import { findDeployment } from '../store/deployment-runs.ts';
import { appWithDeployments, deploymentLogAfter, deploymentView } from '../store/deployment-view.ts';
import { appDrift, environmentDrift } from '../store/environment-drift.ts';
import { activeInstallationIds, installationOverview } from '../store/installation-overview.ts';
import { appRecommendations } from '../store/recommendations.ts';
import { findRepository } from '../store/repositories.ts';
import { canRead, canWrite, type Access } from './access.ts';
import { ActionRefused, type DeploymentActions } from './deployment-actions.ts';
import { SignInError, signInWithGitHub } from './github-sign-in.ts';
import { appPage } from './pages/app-page.ts';
import { recommendationCharts } from './recommendation-charts.ts';
import { deploymentPage, liveLogScript } from './pages/deployment-page.ts';
import { dashboardPage } from './pages/frame.ts';
import { overviewPage, overviewPageSize } from './pages/overview-page.ts';
import { signInPage } from './pages/sign-in-page.ts';
import { html } from 'hono/html';
import { newSession, sessionCookie, sessionKey, sessionSeconds, signValue, verifyValue, type Session } from './session.ts';

export type DashboardDeps = {
  db: Db;
  dataDir: string;
  githubUrl: string;
  githubApiUrl: string;
  oauth?: { clientId: string; clientSecret: string };
  apiToken?: string;
  publicUrl?: string;
  /** Apply and Rollback; undefined (no Terraform runner in this process): no buttons. */
  actions?: () => DeploymentActions | undefined;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (message: string) => void;
};

type Env = { Variables: { session: Session; access: Access } };

const oauthCookie = 'slipway_oauth';
const digest = (text: string) => createHash('sha256').update(text).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function dashboardRoutes(deps: DashboardDeps): Hono<Env> {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});
  const key = sessionKey(deps.dataDir);
  // Access lists of GitHub sessions, in this process only (see session.ts); bounded.
  const accessOf = new LruMap<string, Access>(10_000);
  const app = new Hono<Env>();
  const cookieOptions = (c: Context, maxAge: number) => ({ httpOnly: true, sameSite: 'Lax' as const, path: '/dashboard', secure: new URL(c.req.url).protocol === 'https:', maxAge });
  const origin = (c: Context) => deps.publicUrl ?? new URL(c.req.url).origin;

  app.use('*', compress());
  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    c.header('cache-control', 'no-store');
  });

  app.get('/assets/live-log.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(String(liveLogScript));
  });

  // ---- signing in ------------------------------------------------------------------------------
  app.get('/sign-in', (c) => c.html(signInPage({ github: !!deps.oauth, token: !!deps.apiToken })));

  app.post('/sign-in', async (c) => {
    if (!sameSite(c)) return c.html(signInPage({ github: !!deps.oauth, token: !!deps.apiToken, problem: 'This form did not come from this site.' }), 403);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token : '';
    if (!deps.apiToken || !same(token, deps.apiToken)) {
      log('slipway: dashboard: a sign-in with a wrong API token was refused');
      return c.html(signInPage({ github: !!deps.oauth, token: !!deps.apiToken, problem: 'That is not the API token.' }), 401);
    }
    const session = newSession('api-token', 'token', now());
    setCookie(c, sessionCookie, signValue(key, session), cookieOptions(c, sessionSeconds));
    return c.redirect('/dashboard', 303);
  });

  app.get('/auth/github', (c) => {
    if (!deps.oauth) return c.html(signInPage({ github: false, token: !!deps.apiToken, problem: 'Signing in with GitHub is not configured.' }), 404);
    const state = randomBytes(24).toString('base64url');
    setCookie(c, oauthCookie, signValue(key, { state, exp: Math.floor(now() / 1000) + 600 }), cookieOptions(c, 600));
    const authorize = new URL(`${deps.githubUrl}/login/oauth/authorize`);
    authorize.searchParams.set('client_id', deps.oauth.clientId);
    authorize.searchParams.set('redirect_uri', `${origin(c)}/dashboard/auth/callback`);
    authorize.searchParams.set('state', state);
    return c.redirect(authorize.toString(), 302);
  });

  app.get('/auth/callback', async (c) => {
    const pending = verifyValue<{ state: string; exp: number }>(key, getCookie(c, oauthCookie));
    deleteCookie(c, oauthCookie, { path: '/dashboard' });
    const state = c.req.query('state') ?? '';
    const code = c.req.query('code') ?? '';
    if (!deps.oauth || !pending || pending.exp * 1000 < now() || !same(state, pending.state) || code === '') {
      return c.html(signInPage({ github: !!deps.oauth, token: !!deps.apiToken, problem: 'That sign-in did not start here, or took too long. Sign in again.' }), 403);
    }
    try {
      const signedIn = await signInWithGitHub({
        githubUrl: deps.githubUrl,
        githubApiUrl: deps.githubApiUrl,
        clientId: deps.oauth.clientId,
        clientSecret: deps.oauth.clientSecret,
        code,
        redirectUri: `${origin(c)}/dashboard/auth/callback`,
        installationIds: await activeInstallationIds(deps.db),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      const session = newSession(signedIn.login, 'github', now());
      accessOf.set(session.sid, { kind: 'repositories', repositories: signedIn.repositories });
      setCookie(c, sessionCookie, signValue(key, session), cookieOptions(c, sessionSeconds));
      return c.redirect('/dashboard', 303);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      return c.html(signInPage({ github: true, token: !!deps.apiToken, problem: error.message }), 502);
    }
  });

  // ---- everything else needs a session ---------------------------------------------------------
  app.use('*', async (c, next) => {
    const session = verifyValue<Session>(key, getCookie(c, sessionCookie));
    const access = session && session.exp * 1000 > now() ? (session.kind === 'token' ? ({ kind: 'all' } as Access) : accessOf.get(session.sid)) : undefined;
    if (!session || !access) {
      if (c.req.method === 'GET' && !c.req.path.endsWith('/log')) return c.redirect('/dashboard/sign-in', 303);
      return c.json({ error: 'sign in first' }, 401);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (!sameSite(c) || typeof form.csrf !== 'string' || !same(form.csrf, session.csrf)) {
        log(`slipway: dashboard: refused a ${c.req.method} ${c.req.path} by ${session.login} without this session's CSRF token`);
        return c.html(dashboardPage({ title: 'Refused', session, body: html`<h1>Refused</h1><p class="error" role="alert">This request did not come from a Slipway page (CSRF token missing or wrong). Go back, reload and try again.</p>` }), 403);
      }
    }
    c.set('session', session);
    c.set('access', access);
    await next();
  });

  app.post('/sign-out', (c) => {
    accessOf.delete(c.get('session').sid);
    deleteCookie(c, sessionCookie, { path: '/dashboard' });
    return c.redirect('/dashboard/sign-in', 303);
  });

  app.get('/', async (c) => {
    const access = c.get('access');
    const repositoryIds = access.kind === 'all' ? undefined : [...(await repositoryIdsByName(deps.db, [...access.repositories.keys()])).values()];
    const filter = repositoryIds ? { repositoryIds } : {};
    const page = Math.min(Math.max(1, Number(c.req.query('page') ?? '1') || 1), 100_000);
    const [overview, installations] = await Promise.all([
      appEnvironmentOverview(deps.db, { ...filter, limit: overviewPageSize, offset: (page - 1) * overviewPageSize }),
      installationOverview(deps.db, filter),
    ]);
    const drift = await environmentDrift(deps.db, overview.rows.map((r) => r.environmentId));
    return c.html(overviewPage({ session: c.get('session'), rows: overview.rows, total: overview.total, installations, page, drift, githubUrl: deps.githubUrl, now: now() }));
  });

  app.get('/apps/:id{[0-9]+}', async (c) => {
    const found = await appWithDeployments(deps.db, Number(c.req.param('id')));
    const repository = found ? await findRepository(deps.db, found.app.repositoryId) : undefined;
    if (!found || !repository || !canRead(c.get('access'), repository.fullName)) return notFound(c);
    const recommendations = await appRecommendations(deps.db, { repositoryId: repository.id, app: found.app.name });
    const charts = await recommendationCharts(deps.db, { installationId: repository.installationId, repositoryId: repository.id }, found.app.name, recommendations, now());
    const drift = await appDrift(deps.db, found.app.id);
    return c.html(appPage({ session: c.get('session'), app: found.app, repository: repository.fullName, deployments: found.deployments, recommendations, charts, drift, githubUrl: deps.githubUrl }));
  });

  app.get('/deployments/:id{[0-9]+}', async (c) => {
    const deployment = await deploymentView(deps.db, Number(c.req.param('id')));
    if (!deployment || !canRead(c.get('access'), deployment.repository)) return notFound(c);
    const actions = deps.actions?.();
    const writer = canWrite(c.get('access'), deployment.repository);
    return c.html(
      deploymentPage({
        session: c.get('session'),
        deployment,
        actions: { apply: !!actions && writer && actions.canApply(deployment.status), rollback: !!actions && writer && (await actions.canRollback(deployment)) },
        ...(c.req.query('started') ? { notice: `Deployment ${c.req.query('started')} started.` } : {}),
      }),
    );
  });

  app.get('/deployments/:id{[0-9]+}/log', async (c) => {
    const id = Number(c.req.param('id'));
    const deployment = await findDeployment(deps.db, id);
    if (!deployment || !canRead(c.get('access'), deployment.repository)) return c.json({ error: 'not found' }, 404);
    const after = Math.max(0, Number(c.req.query('after') ?? '0') || 0);
    const chunks = await deploymentLogAfter(deps.db, id, after);
    return c.json({ text: chunks.map((chunk) => chunk.text).join(''), after: chunks.at(-1)?.id ?? after, status: deployment.status, finished: isFinished(deployment.status) });
  });

  for (const action of ['apply', 'rollback'] as const) {
    app.post(`/deployments/:id{[0-9]+}/${action}`, async (c) => {
      const id = Number(c.req.param('id'));
      const deployment = await findDeployment(deps.db, id);
      const session = c.get('session');
      if (!deployment || !canRead(c.get('access'), deployment.repository)) return notFound(c);
      if (!canWrite(c.get('access'), deployment.repository)) {
        log(`slipway: dashboard: ${session.login} may not ${action} deployment ${id} (no write permission on ${deployment.repository})`);
        return c.html(dashboardPage({ title: 'Refused', session, body: html`<h1>Refused</h1><p class="error" role="alert">You cannot push to ${deployment.repository}: ${action === 'apply' ? 'Apply' : 'Rollback'} needs write permission on it.</p>` }), 403);
      }
      const actions = deps.actions?.();
      if (!actions) return c.html(dashboardPage({ title: 'Not available', session, body: html`<h1>Not available</h1><p class="error" role="alert">This Slipway process has no Terraform runner: deployments are planned only (see docs/runner.md).</p>` }), 409);
      try {
        const started = await actions[action](id, `${session.login} (dashboard)`);
        return c.redirect(`/dashboard/deployments/${started}?started=${started}`, 303);
      } catch (error) {
        if (!(error instanceof ActionRefused)) throw error;
        return c.html(dashboardPage({ title: 'Refused', session, body: html`<h1>Refused</h1><p class="error" role="alert">${error.message}</p>` }), 409);
      }
    });
  }

  const notFound = (c: Context<Env>) => c.html(dashboardPage({ title: 'Not found', session: c.get('session'), body: html`<h1>Not found</h1><p>There is no such page, or you cannot see it.</p>` }), 404);
  app.notFound((c) => c.html(dashboardPage({ title: 'Not found', body: html`<h1>Not found</h1><p><a href="/dashboard">Back to the dashboard</a></p>` }), 404));
  return app;
}

/** A form post from this site: browsers send Sec-Fetch-Site (and Origin) with every form post. */
function sameSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const from = c.req.header('origin');
  return from === undefined || from === new URL(c.req.url).origin;
}
