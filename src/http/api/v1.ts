/**
 * API v1 (`/api/v1`), described by the OpenAPI 3.1 document it serves at `/api/v1/openapi.json`,
 * generated from the same zod schemas that validate its requests (src/api/schemas.ts). In order:
 * every mutating call is audited (refusals too), then the bearer token is checked (401/429), then
 * the route checks the token's role (403) and limits every read to the token's repositories (a
 * resource of another repository is a 404, as if it did not exist). Errors are
 * `{ error, code, issues? }`. docs/api.md is the reference.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import * as S from '../../api/schemas.ts';
import { appView, auditView, deliveryView, deploymentDetailView, deploymentView, environmentView, logChunkView, recommendationView } from '../../api/views.ts';
import type { LogFields } from '../../ops/log-fields.ts';
import { listAppPage, listDeliveryPage, listDeploymentPage, listEnvironmentPage, listRecommendationPage, findScopedDeployment, findScopedDeploymentDetail } from '../../store/api-listings.ts';
import { listAudit } from '../../store/audit-log.ts';
import type { Db } from '../../store/db.ts';
import { readDeploymentLog } from '../../store/deployment-logs.ts';
import { environmentDrift } from '../../store/environment-drift.ts';
import type { TokenRole } from '../../store/schema.ts';
import { causeMessage } from '../../store/store-error.ts';
import { hasRole, repositoryScope } from '../../tokens/token-access.ts';
import { ServiceUnavailableError } from '../service-unavailable.ts';
import { ApiError } from '../../api/api-error.ts';
import { auditCalls } from './audit-calls.ts';
import { authenticate, type ApiVariables } from './authenticate.ts';
import { requestApply } from '../../api/request-apply.ts';
import { requestRollback } from '../../api/request-rollback.ts';
import { RollbackRefused } from '../../rollback/rollback-refused.ts';
import { requestTick } from '../../reconcile/request-tick.ts';
import { createRateLimiter } from './rate-limit.ts';

export type ApiV1Deps = {
  db: Db;
  /** `SLIPWAY_API_TOKEN`: an admin token for every repository, beside the issued ones. */
  legacyToken?: string;
  /** Requests a minute per token (default 600). */
  rateLimitPerMinute?: number;
  now?: () => Date;
  clientAddress?: (c: Context) => string | undefined;
  log: (message: string, fields?: LogFields) => void;
  onStoreError?: () => void;
  onRequest?: (method: string, status: number) => void;
  /** Mounted at `/metrics` behind the token (role deploy): the metric intake (routes/metrics.ts). */
  metricsIntake?: Hono;
};

type Env = { Variables: ApiVariables };

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(S.ErrorBody, 'The request is not valid: unknown or malformed parameters or body.'),
  401: json(S.ErrorBody, 'No token, or one that is invalid, expired or revoked.'),
  403: json(S.ErrorBody, 'The token’s role does not allow this.'),
  404: json(S.ErrorBody, 'No such resource among the token’s repositories.'),
  429: json(S.ErrorBody, 'Too many requests for this token; see Retry-After.'),
};
const security = [{ bearer: [] }];

function need(c: Context<Env>, role: TokenRole): void {
  const access = c.get('access')!;
  if (!hasRole(access, role)) throw new ApiError(403, 'forbidden', `token ${access.tokenId} (${access.name}) has role ${access.role}; this needs ${role}`);
}

/** The `next` of a page: the last item's id when the page is full. */
function next<T extends { id: number }>(items: T[], limit: number): number | null {
  return items.length === limit ? items[items.length - 1]!.id : null;
}

export function apiV1(deps: ApiV1Deps): OpenAPIHono<Env> {
  const now = deps.now ?? (() => new Date());
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || result.target, message: i.message }));
        throw new ApiError(400, 'invalid_request', `${result.target}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
      }
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A token from `slipway token create`.' });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Slipway API', version: '1', description: 'Read apps, environments, deployments, recommendations, deliveries and the audit log; apply planned deployments; push metric samples.' },
    servers: [{ url: '/api/v1' }],
  });

  app.use('*', async (c, next) => {
    await next();
    deps.onRequest?.(c.req.method, c.res.status);
  });
  app.use('*', auditCalls({ db: deps.db, clientAddress: deps.clientAddress ?? ((c) => c.req.header('cf-connecting-ip')), log: deps.log, ...(deps.onStoreError ? { onStoreError: deps.onStoreError } : {}) }));
  // The document is public (it says nothing about the data); everything else needs a token.
  const documentPaths = new Set(['/openapi.json', '/api/v1/openapi.json']);
  app.use('*', async (c, next) => (c.req.method === 'GET' && documentPaths.has(c.req.path) ? next() : auth(c, next)));
  const auth = authenticate({ db: deps.db, legacyToken: deps.legacyToken, rateLimit: createRateLimiter(deps.rateLimitPerMinute ?? 600), now });

  app.openapi(createRoute({ method: 'get', path: '/apps', tags: ['apps'], summary: 'Apps (one per paas.yaml)', security, 'x-slipway-role': 'read', request: { query: S.AppQuery }, responses: { 200: json(S.Page(S.App, 'AppPage'), 'A page of apps.'), ...errors } }), async (c) => {
    need(c, 'read');
    const q = c.req.valid('query');
    const rows = await listAppPage(deps.db, { ...q, scope: repositoryScope(c.get('access')!) });
    return c.json({ items: rows.map(appView), next: next(rows, q.limit) }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/environments', tags: ['apps'], summary: 'Environments', security, 'x-slipway-role': 'read', request: { query: S.EnvironmentQuery }, responses: { 200: json(S.Page(S.Environment, 'EnvironmentPage'), 'A page of environments.'), ...errors } }), async (c) => {
    need(c, 'read');
    const q = c.req.valid('query');
    const rows = await listEnvironmentPage(deps.db, { ...q, scope: repositoryScope(c.get('access')!) });
    // The page's drift checks in one statement, as the dashboard reads them.
    const drift = await environmentDrift(deps.db, rows.map((r) => r.id));
    return c.json({ items: rows.map((r) => environmentView(r, drift.get(r.id))), next: next(rows, q.limit) }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/deployments', tags: ['deployments'], summary: 'Deployments, newest first', security, 'x-slipway-role': 'read', request: { query: S.DeploymentQuery }, responses: { 200: json(S.Page(S.Deployment, 'DeploymentPage'), 'A page of deployments.'), ...errors } }), async (c) => {
    need(c, 'read');
    const q = c.req.valid('query');
    const rows = await listDeploymentPage(deps.db, { ...q, scope: repositoryScope(c.get('access')!) });
    return c.json({ items: rows.map(deploymentView), next: next(rows, q.limit) }, 200);
  });

  const noDeployment = (id: number) => new ApiError(404, 'not_found', `no deployment ${id} among this token’s repositories`);
  const deploymentOf = async (c: Context<Env>, id: number) => {
    const row = await findScopedDeployment(deps.db, id, repositoryScope(c.get('access')!));
    if (!row) throw noDeployment(id);
    return row;
  };

  app.openapi(createRoute({ method: 'get', path: '/deployments/{id}', tags: ['deployments'], summary: 'One deployment: status, history, plan, outputs, failure', security, 'x-slipway-role': 'read', request: { params: S.IdParam }, responses: { 200: json(S.DeploymentDetail, 'The deployment.'), ...errors } }), async (c) => {
    need(c, 'read');
    const { id } = c.req.valid('param');
    const row = await findScopedDeploymentDetail(deps.db, id, repositoryScope(c.get('access')!));
    if (!row) throw noDeployment(id);
    return c.json(deploymentDetailView(row), 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/deployments/{id}/log', tags: ['deployments'], summary: 'What Terraform printed during the deployment (redacted)', security, 'x-slipway-role': 'read', request: { params: S.IdParam }, responses: { 200: json(z.object({ items: z.array(S.LogChunk) }), 'The log, oldest chunk first.'), ...errors } }), async (c) => {
    need(c, 'read');
    const { id } = c.req.valid('param');
    await deploymentOf(c, id);
    return c.json({ items: (await readDeploymentLog(deps.db, id)).map(logChunkView) }, 200);
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/deployments/{id}/apply',
      tags: ['actions'],
      summary: 'Apply a planned deployment (the manual approval); role deploy',
      description: 'Queues the runner to plan it again against the current state and apply it. Only a `planned` deployment can be applied; role deploy.',
      security, 'x-slipway-role': 'deploy',
      middleware: [bodyLimit({ maxSize: 16 * 1024, onError: () => { throw new ApiError(413, 'payload_too_large', 'the body is over 16 KB'); } })] as const,
      request: { params: S.IdParam, body: { content: { 'application/json': { schema: S.ApplyRequest } }, required: false } },
      responses: { 202: json(S.ApplyAccepted, 'Queued for the runner.'), 409: json(S.ErrorBody, 'The deployment is not planned.'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      c.set('audit', { action: 'deployment.apply', subject: `deployment:${id}` });
      need(c, 'deploy');
      const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : c.req.valid('json');
      const row = await deploymentOf(c, id);
      const job = await requestApply(deps.db, { deployment: row, actor: c.get('access')!, reason: body.reason });
      c.set('audit', { action: 'deployment.apply', subject: `deployment:${id}`, details: { job: job.id, repository: row.repository, app: row.app, environment: row.environment } });
      return c.json({ deployment: id, status: 'queued' as const, job: job.id }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/deployments/{id}/plan',
      tags: ['actions'],
      summary: 'Plan a queued or planned deployment against the current state (nothing applied); role deploy',
      description: 'Queues the runner to run `terraform plan` for it; the plan is stored with the deployment (`terraformPlan`), which stays `planned`.',
      security, 'x-slipway-role': 'deploy',
      middleware: [bodyLimit({ maxSize: 16 * 1024, onError: () => { throw new ApiError(413, 'payload_too_large', 'the body is over 16 KB'); } })] as const,
      request: { params: S.IdParam, body: { content: { 'application/json': { schema: S.ApplyRequest } }, required: false } },
      responses: { 202: json(S.ApplyAccepted, 'Queued for the runner.'), 409: json(S.ErrorBody, 'The deployment is neither queued nor planned.'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      c.set('audit', { action: 'deployment.plan', subject: `deployment:${id}` });
      need(c, 'deploy');
      const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : c.req.valid('json');
      const row = await deploymentOf(c, id);
      const job = await requestApply(deps.db, { deployment: row, actor: c.get('access')!, reason: body.reason, mode: 'plan' });
      c.set('audit', { action: 'deployment.plan', subject: `deployment:${id}`, details: { job: job.id, repository: row.repository, app: row.app, environment: row.environment } });
      return c.json({ deployment: id, status: 'queued' as const, job: job.id }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/deployments/{id}/rollback',
      tags: ['actions'],
      summary: 'Roll the deployment’s app and environment back to it; role deploy',
      description:
        'Queues the runner to re-apply this deployment’s recorded Terraform JSON as a new deployment (trigger `rollback`), as `slipway rollback --to <id>` does; the commit rolled back from is held. Only a successful deployment that still has its Terraform JSON and is not the live one can be rolled back to (409 `rollback_refused` with the `reason` otherwise).',
      security, 'x-slipway-role': 'deploy',
      middleware: [bodyLimit({ maxSize: 16 * 1024, onError: () => { throw new ApiError(413, 'payload_too_large', 'the body is over 16 KB'); } })] as const,
      request: { params: S.IdParam, body: { content: { 'application/json': { schema: S.ApplyRequest } }, required: false } },
      responses: { 202: json(S.RollbackAccepted, 'Queued for the runner.'), 409: json(S.RollbackRefusedBody, 'The deployment cannot be rolled back to.'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      c.set('audit', { action: 'deployment.rollback', subject: `deployment:${id}` });
      need(c, 'deploy');
      const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : c.req.valid('json');
      const row = await deploymentOf(c, id);
      try {
        const job = await requestRollback(deps.db, { deployment: row, actor: c.get('access')!, reason: body.reason });
        c.set('audit', { action: 'deployment.rollback', subject: `deployment:${id}`, details: { job: job.id, from: job.from ?? null, repository: row.repository, app: row.app, environment: row.environment } });
        return c.json({ deployment: id, status: 'queued' as const, job: job.id, from: job.from ?? null }, 202);
      } catch (error) {
        if (!(error instanceof RollbackRefused)) throw error;
        c.set('audit', { action: 'deployment.rollback', subject: `deployment:${id}`, details: { refused: error.code, repository: row.repository, app: row.app, environment: row.environment } });
        return c.json({ error: error.message, code: 'rollback_refused' as const, reason: error.code }, 409);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reconcile',
      tags: ['admin'],
      summary: 'Run one reconcile tick now; role admin',
      description: 'Queues a reconcile tick (as `slipway reconcile --once` does): failed deliveries redelivered, default-branch heads read, drift that is due checked, old records pruned. Ticks run one at a time; this one runs after any tick already running.',
      security, 'x-slipway-role': 'admin',
      responses: { 202: json(S.ReconcileAccepted, 'Queued for the worker.'), ...errors },
    }),
    async (c) => {
      c.set('audit', { action: 'reconcile.tick', subject: 'reconcile' });
      need(c, 'admin');
      const job = await requestTick(deps.db);
      c.set('audit', { action: 'reconcile.tick', subject: 'reconcile', details: { job } });
      return c.json({ status: 'queued' as const, job }, 202);
    },
  );

  app.openapi(createRoute({ method: 'get', path: '/recommendations', tags: ['recommendations'], summary: 'Recommendations with their history', security, 'x-slipway-role': 'read', request: { query: S.RecommendationQuery }, responses: { 200: json(S.Page(S.Recommendation, 'RecommendationPage'), 'A page of recommendations.'), ...errors } }), async (c) => {
    need(c, 'read');
    const q = c.req.valid('query');
    const rows = await listRecommendationPage(deps.db, { ...q, scope: repositoryScope(c.get('access')!) });
    return c.json({ items: rows.map(recommendationView), next: next(rows, q.limit) }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/deliveries', tags: ['admin'], summary: 'Webhook deliveries (without payloads); role admin', security, 'x-slipway-role': 'admin', request: { query: S.DeliveryQuery }, responses: { 200: json(S.Page(S.Delivery, 'DeliveryPage'), 'A page of deliveries, newest first; `next` is epoch ms.'), ...errors } }), async (c) => {
    need(c, 'admin');
    const q = c.req.valid('query');
    const rows = await listDeliveryPage(deps.db, { limit: q.limit, ...(q.before ? { before: new Date(q.before) } : {}), ...(q.event ? { event: q.event } : {}) });
    return c.json({ items: rows.map(deliveryView), next: rows.length === q.limit ? rows[rows.length - 1]!.receivedAt.getTime() : null }, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/audit', tags: ['admin'], summary: 'The audit log, newest first; role admin', security, 'x-slipway-role': 'admin', request: { query: S.AuditQuery }, responses: { 200: json(S.Page(S.AuditEntry, 'AuditPage'), 'A page of audit entries.'), ...errors } }), async (c) => {
    need(c, 'admin');
    const q = c.req.valid('query');
    const rows = await listAudit(deps.db, q);
    return c.json({ items: rows.map(auditView), next: next(rows, q.limit) }, 200);
  });

  if (deps.metricsIntake) {
    app.openAPIRegistry.registerPath({
      method: 'post',
      path: '/metrics',
      tags: ['metrics'],
      summary: 'Push metric samples for recommendations (JSON or CSV; see docs/recommendations.md); role deploy',
      security, 'x-slipway-role': 'deploy',
      request: { body: { content: { 'application/json': { schema: z.unknown() }, 'text/csv': { schema: z.string() } } } },
      responses: { 200: json(z.object({ written: z.number().int() }), 'Samples stored.'), 413: json(S.ErrorBody, 'Body too large.'), ...errors },
    });
    app.use('/metrics', async (c, next) => {
      const repository = c.req.query('repository');
      c.set('audit', { action: 'metrics.ingest', ...(repository ? { subject: repository.slice(0, 200) } : {}) });
      need(c, 'deploy');
      await next();
    });
    app.route('/metrics', deps.metricsIntake);
  }

  app.notFound((c) => c.json({ error: `no API route ${c.req.method} ${c.req.path}`, code: 'not_found' }, 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json({ error: error.message, code: error.code, ...(error.issues ? { issues: error.issues } : {}) }, error.status);
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthorized' : 'invalid_request';
      return c.json({ error: error.message || 'bad request', code }, error.status);
    }
    if (error instanceof ServiceUnavailableError) {
      deps.onStoreError?.();
      c.header('retry-after', String(error.retryAfterSeconds));
      return c.json({ error: error.message, code: 'unavailable' }, 503);
    }
    // The driver's reason only: Drizzle's message carries the query's every parameter (a request's payload).
    deps.log(`slipway: 500 ${c.req.method} ${c.req.path}: ${causeMessage(error)}`, { level: 'error' });
    return c.json({ error: 'internal error', code: 'internal' }, 500);
  });
  return app;
}
