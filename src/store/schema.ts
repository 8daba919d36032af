/**
 * The store's schema: one Drizzle pg-core schema for both engines (embedded PGlite and a Postgres
 * server). Migrations under drizzle/ are generated from this file with `npx drizzle-kit generate`.
 * Row types are derived from the tables (see the `$inferSelect` exports at the bottom).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { TerraformJson } from '../plan/terraform-json.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => at('created_at').notNull().defaultNow();

/** GitHub App installations, keyed by GitHub's installation id. */
export const installations = pgTable('installations', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  accountLogin: text('account_login').notNull(),
  accountType: text('account_type').notNull().default('Organization'),
  suspendedAt: at('suspended_at'),
  removedAt: at('removed_at'),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Repositories an installation grants access to, keyed by GitHub's repository id. */
export const repositories = pgTable(
  'repositories',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    installationId: bigint('installation_id', { mode: 'number' })
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    fullName: text('full_name').notNull(),
    defaultBranch: text('default_branch'),
    private: boolean('private').notNull().default(false),
    removedAt: at('removed_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('repositories_installation_idx').on(t.installationId), index('repositories_full_name_idx').on(t.fullName)],
);

/** One app per paas.yaml: a repository may hold several (monorepo), told apart by path. */
export const apps = pgTable(
  'apps',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    repositoryId: bigint('repository_id', { mode: 'number' })
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    configPath: text('config_path').notNull().default('paas.yaml'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('apps_repository_name_uq').on(t.repositoryId, t.name)],
);

/** production, staging…, and one preview environment per pull request. */
export const environments = pgTable(
  'environments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    appId: bigint('app_id', { mode: 'number' })
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['production', 'staging', 'preview', 'other'] }).notNull().default('other'),
    pullRequest: integer('pull_request'),
    createdAt: createdAt(),
    removedAt: at('removed_at'),
  },
  (t) => [uniqueIndex('environments_app_name_uq').on(t.appId, t.name)],
);

export const deploymentStatuses = [
  'queued',
  'planning',
  'planned',
  'waiting',
  'applying',
  'succeeded',
  'failed',
  'superseded',
  'cancelled',
  'interrupted',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** What a deployment keeps of its plan: changes per action, the changed addresses, the policy results that did not pass. */
export type DeploymentPlanSummary = {
  counts: Record<string, number>;
  /** `<action> <address>`, e.g. `replace aws_ecs_task_definition.web_task_1A2B3C4D`. */
  changed: string[];
  policies?: Array<{ ruleId: string; status: string; severity: string }>;
};

/** Which step of a run failed, and Terraform's first error (message and resource address). */
export type DeploymentFailure = {
  step: 'init' | 'plan' | 'show' | 'apply' | 'runner';
  message: string;
  /** The resource the error is about, e.g. `terraform_data.web`, when Terraform names one. */
  address?: string;
  detail?: string;
};

/** Terraform outputs after an apply; sensitive values are never stored, only their names. */
export type DeploymentOutputs = Record<string, { sensitive: boolean; value?: unknown }>;

/**
 * A deployment keeps the synthesized Terraform JSON it was planned from, so that any earlier one
 * can be applied again (rollback) without re-reading the repository at that commit.
 */
export const deployments = pgTable(
  'deployments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    appId: bigint('app_id', { mode: 'number' })
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    environmentId: bigint('environment_id', { mode: 'number' })
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    status: text('status', { enum: deploymentStatuses }).notNull().default('queued'),
    commitSha: text('commit_sha').notNull(),
    trigger: text('trigger').notNull().default('push'),
    terraformJson: jsonb('terraform_json').$type<TerraformJson>(),
    configHash: text('config_hash'),
    planSummary: jsonb('plan_summary').$type<DeploymentPlanSummary>(),
    monthlyCostUsd: doublePrecision('monthly_cost_usd'),
    /** Terraform's own plan (`terraform show -json` read into the plan model), once the runner planned. */
    terraformPlan: jsonb('terraform_plan'),
    outputs: jsonb('outputs').$type<DeploymentOutputs>(),
    failure: jsonb('failure').$type<DeploymentFailure>(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('deployments_app_env_idx').on(t.appId, t.environmentId, t.id),
    // Start-up recovery looks for runs left `applying` by a process that died.
    index('deployments_applying_idx').on(t.id).where(sql`${t.status} = 'applying'`),
  ],
);

/**
 * What Terraform printed during a run, in chunks as it streamed (redacted before it is written,
 * bounded per deployment by the runner).
 */
export const deploymentLogs = pgTable(
  'deployment_logs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    step: text('step').notNull(),
    text: text('text').notNull(),
    at: createdAt(),
  },
  (t) => [index('deployment_logs_deployment_idx').on(t.deploymentId, t.id)],
);

/** Append-only status history of a deployment: who moved it where, and why. */
export const deploymentEvents = pgTable(
  'deployment_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    status: text('status', { enum: deploymentStatuses }).notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    at: createdAt(),
  },
  (t) => [index('deployment_events_deployment_idx').on(t.deploymentId, t.id)],
);

/** Every webhook delivery GitHub sent us; the delivery id dedupes redeliveries. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    deliveryId: text('delivery_id').primaryKey(),
    event: text('event').notNull(),
    action: text('action'),
    installationId: bigint('installation_id', { mode: 'number' }),
    /** The JSON object GitHub sent (each job parses the fields it needs: intake/parse-event.ts). */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    receivedAt: at('received_at').notNull().defaultNow(),
    outcome: text('outcome'),
    processedAt: at('processed_at'),
  },
  (t) => [index('webhook_deliveries_received_idx').on(t.receivedAt)],
);

export const jobStatuses = ['queued', 'running', 'completed', 'dead', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/**
 * The durable job queue. A partial unique index allows at most one running job per concurrency
 * key, so two workers racing to start jobs for the same app and environment cannot both win,
 * even on separate Postgres connections.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: jobStatuses }).notNull().default('queued'),
    concurrencyKey: text('concurrency_key'),
    idempotencyKey: text('idempotency_key'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAt: at('run_at').notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedUntil: at('locked_until'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_idempotency_key_uq').on(t.idempotencyKey),
    uniqueIndex('jobs_running_concurrency_key_uq')
      .on(t.concurrencyKey)
      .where(sql`${t.status} = 'running' and ${t.concurrencyKey} is not null`),
    index('jobs_queued_idx').on(t.runAt, t.id).where(sql`${t.status} = 'queued'`),
    // Workers claim by kind (the kinds they have handlers for).
    index('jobs_queued_kind_idx').on(t.kind, t.runAt, t.id).where(sql`${t.status} = 'queued'`),
    index('jobs_running_lease_idx').on(t.lockedUntil).where(sql`${t.status} = 'running'`),
    index('jobs_concurrency_key_idx').on(t.concurrencyKey, t.status),
  ],
);

/**
 * Metric samples for recommendations, per tenant and per UTC day: an app name is only unique within
 * a repository, so samples are keyed by installation and repository as well as app (two
 * installations may both have an app `shop`; each reads only its own). A day's samples are one
 * row (`times` and `vals`, packed float8s in base64, index for index) rather than a row each: a
 * 200,000-sample import writes about 140 rows instead of 200,000 rows and index entries (on the
 * embedded database that took 13–23 s; parsing 200,000 numbers as a float8[] parameter alone took
 * seconds, and bytea went through PGlite's hex conversion at a second per 3 MB), and a 14-day
 * read is 14 rows.
 */
export const metricChunks = pgTable(
  'metric_chunks',
  {
    installationId: bigint('installation_id', { mode: 'number' }).notNull(),
    repositoryId: bigint('repository_id', { mode: 'number' })
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    app: text('app').notNull(),
    service: text('service').notNull(),
    metric: text('metric').notNull(),
    /** Days since 1970-01-01 (UTC) of every sample in the row. */
    day: integer('day').notNull(),
    /** Epoch ms, ascending: big-endian float8s (as Postgres' `float8send` writes them), base64. */
    times: text('times').notNull(),
    /** The value at each time, the same encoding. */
    vals: text('vals').notNull(),
  },
  (t) => [primaryKey({ name: 'metric_chunks_pk', columns: [t.installationId, t.repositoryId, t.app, t.service, t.metric, t.day] })],
);

export const recommendationStatuses = ['open', 'accepted', 'dismissed', 'superseded'] as const;
export type RecommendationStatus = (typeof recommendationStatuses)[number];

/**
 * Every recommendation Slipway proposed, with its history: when and where it was proposed (the
 * pull request and commit), whether it was accepted (the commit that applied it) or dismissed or
 * superseded by a newer one, and its measured effect afterwards (cost from recorded metrics before
 * and after), so a later proposal can say what the last one saved. Keyed per tenant (installation
 * and repository) like the samples they come from.
 */
export const recommendations = pgTable(
  'recommendations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    installationId: bigint('installation_id', { mode: 'number' }).notNull(),
    repositoryId: bigint('repository_id', { mode: 'number' })
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    app: text('app').notNull(),
    service: text('service').notNull(),
    environment: text('environment').notNull().default('production'),
    kind: text('kind').notNull(),
    fingerprint: text('fingerprint').notNull(),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: recommendationStatuses }).notNull().default('open'),
    /** The pull request and head commit it was (last) proposed on. */
    pullRequest: integer('pull_request'),
    commitSha: text('commit_sha'),
    /** Estimated USD per month when proposed; positive saves. */
    monthlySaving: doublePrecision('monthly_saving'),
    /** When it was accepted, dismissed or superseded, and (accepted) the commit that applied it. */
    decidedAt: at('decided_at'),
    decidedSha: text('decided_sha'),
    /** Measured after acceptance: cost from recorded metrics before and after (`MeasuredEffect`). */
    effect: jsonb('effect').$type<Record<string, unknown>>(),
    measuredAt: at('measured_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('recommendations_fingerprint_uq').on(t.installationId, t.repositoryId, t.app, t.environment, t.fingerprint),
    index('recommendations_history_idx').on(t.repositoryId, t.app, t.environment, t.service, t.kind, t.decidedAt),
  ],
);

export const auditResults = ['ok', 'denied', 'invalid', 'failed'] as const;
export type AuditResult = (typeof auditResults)[number];

/**
 * Who did what to which resource, from where, and how it ended: every mutating API call (refused
 * ones too), token changes, and actions taken from GitHub. Append-only: no query updates or deletes
 * a row, and a trigger (hand-written part of migration 0006) refuses UPDATE, DELETE and TRUNCATE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: createdAt(),
    /** `token:<id>:<name>`, `github:<login>`, `cli:<user>`, `anonymous`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    /** The resource acted on: `deployment:42`, `acme/shop#7`, `token:3`… */
    subject: text('subject'),
    /** Where the call came from: the client's address, `github`, `cli`. */
    source: text('source'),
    result: text('result', { enum: auditResults }).notNull().default('ok'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_subject_idx').on(t.subject, t.id)],
);

export const tokenRoles = ['read', 'deploy', 'admin'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/**
 * API tokens: only the SHA-256 of each is kept (a token is 32 random bytes, so a plain hash is
 * enough: there is nothing to guess), with its role, the repositories it may see (glob patterns;
 * null for all) and its expiry. Revoking sets `revoked_at`; rows are never deleted (the audit log
 * names them).
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The first characters of the token (`slw_AbCd`), to tell tokens apart in a listing. */
    prefix: text('prefix').notNull(),
    role: text('role', { enum: tokenRoles }).notNull(),
    repositories: jsonb('repositories').$type<string[]>(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash)],
);

export type Installation = typeof installations.$inferSelect;
export type Repository = typeof repositories.$inferSelect;
export type App = typeof apps.$inferSelect;
export type Environment = typeof environments.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;
export type NewDeployment = typeof deployments.$inferInsert;
export type DeploymentEvent = typeof deploymentEvents.$inferSelect;
export type DeploymentLog = typeof deploymentLogs.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type MetricChunk = typeof metricChunks.$inferSelect;
export type Recommendation = typeof recommendations.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
