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
    terraformJson: jsonb('terraform_json'),
    configHash: text('config_hash'),
    planSummary: jsonb('plan_summary'),
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
    payload: jsonb('payload'),
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
    payload: jsonb('payload').notNull().default({}),
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

/** Metric samples for recommendations; the primary key doubles as the range-read index. */
export const metricSamples = pgTable(
  'metric_samples',
  {
    app: text('app').notNull(),
    service: text('service').notNull(),
    metric: text('metric').notNull(),
    at: at('at').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ name: 'metric_samples_pk', columns: [t.app, t.service, t.metric, t.at] })],
);

export const recommendations = pgTable(
  'recommendations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    app: text('app').notNull(),
    service: text('service').notNull(),
    environment: text('environment').notNull().default('production'),
    kind: text('kind').notNull(),
    fingerprint: text('fingerprint').notNull(),
    body: jsonb('body').notNull(),
    status: text('status').notNull().default('open'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('recommendations_fingerprint_uq').on(t.app, t.environment, t.fingerprint)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: createdAt(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject'),
    details: jsonb('details'),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
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
export type MetricSample = typeof metricSamples.$inferSelect;
export type Recommendation = typeof recommendations.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
