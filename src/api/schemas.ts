/**
 * The API v1's shapes: one zod schema per resource and per request, from which the requests are
 * validated, the responses typed, and the OpenAPI 3.1 document generated (@hono/zod-openapi).
 * Pages and the set-up page may render the same views (src/api/views.ts).
 */
import { z } from '@hono/zod-openapi';
import { auditResults, deploymentStatuses, driftStatuses, recommendationStatuses, tokenRoles } from '../store/schema.ts';

const time = z.string().openapi({ format: 'date-time', example: '2026-12-03T14:00:00.000Z' });
const id = z.number().int().openapi({ example: 42 });

export const ErrorBody = z
  .object({
    error: z.string().openapi({ example: 'limit: must be at most 200' }),
    code: z.string().openapi({ example: 'invalid_request' }),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

export const App = z.object({ id, repository: z.string().openapi({ example: 'acme/shop' }), name: z.string(), configPath: z.string(), createdAt: time }).openapi('App');
export type App = z.infer<typeof App>;

/** The environment's last drift check (the reconcile tick's; the dashboard's drift column). */
export const EnvironmentDrift = z
  .object({
    status: z.enum(driftStatuses).openapi({ description: '`clean`: in sync; `drifted`: the live resources differ from the applied configuration; `error`: the check could not run.' }),
    checkedAt: time,
    driftedSince: time.nullable(),
    resources: z.number().int().openapi({ description: 'Resources that differ (0 when clean or on error).' }),
    attributes: z.number().int().openapi({ description: 'Attributes that differ.' }),
    error: z.string().nullable().openapi({ description: 'Why the check could not run (status `error`).' }),
    issueNumber: z.number().int().nullable().openapi({ description: 'The GitHub issue kept open while the drift lasts.' }),
    everyMinutes: z.number().int().nullable().openapi({ description: 'Minutes between checks, as the applied paas.yaml asks; null: drift checks are off.' }),
  })
  .openapi('EnvironmentDrift');

export const Environment = z
  .object({
    id,
    repository: z.string(),
    app: z.string(),
    name: z.string(),
    kind: z.string(),
    pullRequest: z.number().int().nullable(),
    createdAt: time,
    removedAt: time.nullable(),
    // null when no drift check ran yet
    drift: EnvironmentDrift.nullable(),
  })
  .openapi('Environment');
export type Environment = z.infer<typeof Environment>;

const Failure = z.object({ step: z.string(), message: z.string(), address: z.string().optional(), detail: z.string().optional() });
/** Terraform outputs: a sensitive one by name only. */
const Outputs = z.record(z.string(), z.object({ sensitive: z.boolean(), value: z.unknown().optional() }));

export const Deployment = z
  .object({
    id,
    repository: z.string(),
    app: z.string(),
    environment: z.string(),
    status: z.enum(deploymentStatuses),
    commitSha: z.string(),
    trigger: z.string(),
    monthlyCostUsd: z.number().nullable(),
    plan: z.object({ counts: z.record(z.string(), z.number()), changed: z.array(z.string()) }).nullable(),
    outputs: Outputs.nullable(),
    failure: Failure.nullable(),
    createdAt: time,
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
  })
  .openapi('Deployment');
export type Deployment = z.infer<typeof Deployment>;

export const DeploymentEvent = z.object({ status: z.enum(deploymentStatuses), actor: z.string(), reason: z.string().nullable(), at: time }).openapi('DeploymentEvent');

export const DeploymentDetail = Deployment.extend({
  history: z.array(DeploymentEvent),
  /** Terraform's own plan read into the plan model, once the runner planned. */
  terraformPlan: z.unknown().nullable(),
}).openapi('DeploymentDetail');
export type DeploymentDetail = z.infer<typeof DeploymentDetail>;

export const LogChunk = z.object({ step: z.string(), text: z.string(), at: time }).openapi('LogChunk');

export const Recommendation = z
  .object({
    id,
    repository: z.string(),
    app: z.string(),
    service: z.string(),
    environment: z.string(),
    kind: z.string(),
    status: z.enum(recommendationStatuses),
    monthlySaving: z.number().nullable(),
    pullRequest: z.number().int().nullable(),
    commitSha: z.string().nullable(),
    body: z.record(z.string(), z.unknown()),
    createdAt: time,
    decidedAt: time.nullable(),
  })
  .openapi('Recommendation');

export const Delivery = z
  .object({ deliveryId: z.string(), event: z.string(), action: z.string().nullable(), installationId: z.number().int().nullable(), receivedAt: time, outcome: z.string().nullable(), processedAt: time.nullable() })
  .openapi('Delivery');

export const AuditEntry = z
  .object({ id, at: time, actor: z.string(), source: z.string().nullable(), action: z.string(), subject: z.string().nullable(), result: z.enum(auditResults), details: z.record(z.string(), z.unknown()).nullable() })
  .openapi('AuditEntry');

export const Token = z
  .object({ id, name: z.string(), prefix: z.string(), role: z.enum(tokenRoles), repositories: z.array(z.string()).nullable(), createdBy: z.string(), createdAt: time, expiresAt: time.nullable(), revokedAt: time.nullable() })
  .openapi('Token');

/** A page of items, newest first; `next` is the `before` of the following page (null at the end). */
export function Page<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ items: z.array(item), next: z.union([z.number(), z.string()]).nullable() }).openapi(name);
}

const limit = z.coerce.number().int().min(1).max(1000).default(50).openapi({ description: 'Items per page (1–1000).' });
const before = z.coerce.number().int().positive().optional().openapi({ description: 'The `next` of the previous page.' });
const names = {
  repository: z.string().max(200).optional().openapi({ example: 'acme/shop' }),
  app: z.string().max(100).optional().openapi({ example: 'web' }),
  environment: z.string().max(100).optional().openapi({ example: 'production' }),
};

/** Query strings: unknown parameters are refused (a misspelt filter would otherwise list everything). */
export const AppQuery = z.object({ limit, before, repository: names.repository, app: names.app }).strict();
export const EnvironmentQuery = z.object({ limit, before, ...names }).strict();
export const DeploymentQuery = z.object({ limit, before, ...names, status: z.enum(deploymentStatuses).optional() }).strict();
export const RecommendationQuery = z.object({ limit, before, ...names, status: z.enum(recommendationStatuses).optional() }).strict();
export const DeliveryQuery = z.object({ limit, before: z.coerce.number().int().positive().optional().openapi({ description: 'Epoch ms: deliveries received before it.' }), event: z.string().max(64).optional() }).strict();
export const AuditQuery = z
  .object({ limit, before, actor: z.string().max(200).optional(), action: z.string().max(100).optional(), subject: z.string().max(300).optional(), result: z.enum(auditResults).optional() })
  .strict();

export const IdParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' }, example: 42 }) });

export const ApplyRequest = z
  .object({ reason: z.string().max(500).optional().openapi({ description: 'Recorded in the deployment’s history and the audit log.' }) })
  .strict()
  .openapi('ApplyRequest');
export const ApplyAccepted = z.object({ deployment: id, status: z.literal('queued'), job: id }).openapi('ApplyAccepted');
export const RollbackAccepted = z
  .object({ deployment: id, status: z.literal('queued'), job: id, from: id.nullable().openapi({ description: 'The live deployment rolled back from (null: nothing live); a deploy that goes live before the job runs is not undone.' }) })
  .openapi('RollbackAccepted');
export const RollbackRefusedBody = ErrorBody.extend({
  code: z.literal('rollback_refused'),
  reason: z.enum(['no_environment', 'ambiguous_app', 'not_found', 'other_app', 'not_succeeded', 'pruned', 'nothing_live', 'no_earlier', 'already_live', 'not_live']).openapi({ description: 'Why the rollback cannot be done.' }),
}).openapi('RollbackRefused');
export const ReconcileAccepted = z.object({ status: z.literal('queued'), job: id }).openapi('ReconcileAccepted');
