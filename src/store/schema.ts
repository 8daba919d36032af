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
  step: 'init' | 'plan' | 'show' | 'apply' | 'state' | 'runner';
  message: string;
  /** The resource the error is about, e.g. `terraform_data.web`, when Terraform names one. */
  address?: string;
  detail?: string;
};

/** Terraform outputs after an apply; sensitive values are never stored, only their names. */
export type DeploymentOutputs = Record<string, { sensitive: boolean; value?: unknown }>;

/**
 * How a push's deployment applies (from the environment's `deploy:` in paas.yaml, recorded with it
 * so the jobs that carry it on later need not read the repository again) and the GitHub
 * environment its GitHub Deployment is in.
 */
export type DeploymentSettings = {
  mode: 'auto' | 'manual';
  after: string[];
  githubEnvironment: string;
  /** How a success is judged afterwards (paas.yaml `rollback:` and the services, as at this commit: src/rollback). */
  verdict?: { rollback: { auto: boolean; watchMs: number; metrics: Array<'errors' | 'latency' | 'cpu' | 'memory'> }; services: string[] };
  /** A pull request's preview (src/previews/): `destroy` for the run that takes it down. */
  preview?: { pullRequest: number; destroy?: boolean };
};

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
    /** A push's: how it applies (mode, checks to wait for) and its GitHub environment. */
    settings: jsonb('settings').$type<DeploymentSettings>(),
    /** The GitHub Deployment reporting it, once created. */
    githubDeploymentId: bigint('github_deployment_id', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('deployments_app_env_idx').on(t.appId, t.environmentId, t.id),
    // Start-up recovery looks for runs left `applying` by a process that died.
    index('deployments_applying_idx').on(t.id).where(sql`${t.status} = 'applying'`),
    // A check completing on a commit looks for that commit's deployments waiting for it.
    index('deployments_waiting_idx').on(t.commitSha).where(sql`${t.status} = 'waiting'`),
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

/**
 * Commits held out of an environment: a rollback (by hand or automatic) holds the commit it rolled
 * back from, so auto deploys skip it until a newer commit lands (a retried push job of the bad
 * commit must not put it back, as Argo CD's auto-sync did). One row per environment and commit.
 */
export const commitHolds = pgTable(
  'commit_holds',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    environmentId: bigint('environment_id', { mode: 'number' })
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    commitSha: text('commit_sha').notNull(),
    /** The rollback deployment that holds it. */
    rollbackDeploymentId: bigint('rollback_deployment_id', { mode: 'number' }).references(() => deployments.id, { onDelete: 'set null' }),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('commit_holds_environment_commit_uq').on(t.environmentId, t.commitSha)],
);

export const verdicts = ['pass', 'inconclusive', 'regression'] as const;
export type VerdictName = (typeof verdicts)[number];

/**
 * A deploy's verdicts: one row per check of its watch window (src/rollback/), with the evidence
 * (per metric: medians, effect size, p-value, samples) and, after a regression with `auto`, the
 * rollback deployment it started.
 */
export const deploymentVerdicts = pgTable(
  'deployment_verdicts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    /** Which check of the watch (1..4); the last is final. */
    checkpoint: integer('checkpoint').notNull(),
    final: boolean('final').notNull(),
    verdict: text('verdict', { enum: verdicts }).notNull(),
    reason: text('reason').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    rollbackDeploymentId: bigint('rollback_deployment_id', { mode: 'number' }).references(() => deployments.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('deployment_verdicts_checkpoint_uq').on(t.deploymentId, t.checkpoint)],
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
  (t) => [
    index('webhook_deliveries_received_idx').on(t.receivedAt),
    // The reconcile tick asks whether a push of a head was received (repository-heads.ts: hasPushOf).
    index('webhook_deliveries_push_after_idx').on(sql`(${t.payload} ->> 'after')`).where(sql`${t.event} = 'push'`),
  ],
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

/** What one reconcile tick did (counts and the problems it recorded and skipped): `slipway status`, the next tick's window. */
export type TickSummary = {
  redelivered: number;
  redeliveryRefused: number;
  deliveriesSeen: number;
  polled: number;
  notModified: number;
  enqueued: number;
  deferred: number;
  driftChecked: number;
  drifted: number;
  healed: number;
  /** Previews destroyed for their TTL, and preview destroys started again. */
  previewsExpired?: number;
  previewDestroysRetried?: number;
  pruned: Record<string, number>;
  /** Bad input recorded and skipped: `<what>: <why>` (a deleted repository, a refused redelivery…). */
  problems: string[];
  /** Per installation: GitHub requests spent, the budget, and the remaining limit last seen. */
  rate?: Record<string, { spent: number; budget: number; remaining: number | null; backoffSec?: number }>;
  /** Milliseconds each step took. */
  ms?: Record<string, number>;
};

/** The periodic reconcile ticks (one at a time, as a job: see reconcile/tick-job.ts). */
export const reconcileTicks = pgTable(
  'reconcile_ticks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    jobId: bigint('job_id', { mode: 'number' }),
    startedAt: at('started_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
    summary: jsonb('summary').$type<TickSummary>(),
  },
  (t) => [index('reconcile_ticks_started_idx').on(t.startedAt)],
);

/**
 * Failed webhook deliveries the tick asked GitHub to send again: once per delivery guid, whatever
 * GitHub answered (a refusal, 422 or 404, is recorded with its reason and not asked again).
 */
export const redeliveries = pgTable('redeliveries', {
  guid: text('guid').primaryKey(),
  /** GitHub's id of the failed attempt that was redelivered. */
  attemptId: bigint('attempt_id', { mode: 'number' }).notNull(),
  event: text('event').notNull(),
  action: text('action'),
  installationId: bigint('installation_id', { mode: 'number' }),
  repositoryId: bigint('repository_id', { mode: 'number' }),
  /** The failed attempt's HTTP status (0: no answer) and when GitHub made it. */
  failedStatus: integer('failed_status').notNull(),
  deliveredAt: at('delivered_at'),
  requestedAt: at('requested_at').notNull().defaultNow(),
  /** `requested`, or why GitHub refused (`refused 422: …`). */
  outcome: text('outcome').notNull(),
});

/**
 * The default-branch head of each tracked repository as the tick last read it, with the ETag that
 * makes the next read conditional (a 304 costs no rate limit). `problem` holds why the last read
 * failed (deleted, access removed), until a read succeeds.
 */
export const repositoryHeads = pgTable('repository_heads', {
  repositoryId: bigint('repository_id', { mode: 'number' })
    .primaryKey()
    .references(() => repositories.id, { onDelete: 'cascade' }),
  branch: text('branch').notNull(),
  sha: text('sha'),
  etag: text('etag'),
  polledAt: at('polled_at'),
  changedAt: at('changed_at'),
  problem: text('problem'),
});

export const driftStatuses = ['clean', 'drifted', 'error'] as const;
export type DriftStatus = (typeof driftStatuses)[number];

/**
 * The last drift check of an environment: against which applied deployment, what differed (the
 * quantified report, secrets redacted), and the GitHub issue kept for it (one per app and
 * environment, edited in place, closed when the drift is gone).
 */
export const driftChecks = pgTable('drift_checks', {
  environmentId: bigint('environment_id', { mode: 'number' })
    .primaryKey()
    .references(() => environments.id, { onDelete: 'cascade' }),
  appId: bigint('app_id', { mode: 'number' })
    .notNull()
    .references(() => apps.id, { onDelete: 'cascade' }),
  deploymentId: bigint('deployment_id', { mode: 'number' }),
  status: text('status', { enum: driftStatuses }).notNull(),
  report: jsonb('report').$type<Record<string, unknown>>(),
  checkedAt: at('checked_at').notNull().defaultNow(),
  /** The environment's `drift:` as read from the applied commit's paas.yaml: minutes between checks (null: off), and heal. */
  everyMinutes: integer('every_minutes'),
  heal: boolean('heal').notNull().default(false),
  driftedSince: at('drifted_since'),
  issueNumber: integer('issue_number'),
  /** The deployment that re-applied the desired state (`heal: true`). */
  healDeploymentId: bigint('heal_deployment_id', { mode: 'number' }),
});

export const previewStates = ['open', 'awaiting-approval', 'refused', 'destroying', 'destroy-failed', 'destroyed'] as const;
export type PreviewState = (typeof previewStates)[number];

/**
 * One pull request's preview environment of one app (src/previews/): where it stands, when it
 * expires (`previews.ttl` after the last push), what it costs (the monthly price of what is
 * applied, and what it has cost so far) and, for a destroy that did not finish, when it is tried
 * again. The reconcile tick reads it by `(state, expires_at)` and `(state, retry_at)`.
 */
export const previews = pgTable(
  'previews',
  {
    environmentId: bigint('environment_id', { mode: 'number' })
      .primaryKey()
      .references(() => environments.id, { onDelete: 'cascade' }),
    appId: bigint('app_id', { mode: 'number' })
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    pullRequest: integer('pull_request').notNull(),
    state: text('state', { enum: previewStates }).notNull().default('open'),
    headSha: text('head_sha').notNull(),
    fork: boolean('fork').notNull().default(false),
    /** A fork's head a writer asked to deploy (`/slipway preview`); another head needs asking again. */
    approvedSha: text('approved_sha'),
    approvedBy: text('approved_by'),
    lastPushAt: at('last_push_at').notNull(),
    ttlSeconds: integer('ttl_seconds').notNull(),
    /** Null while nothing is up (refused, awaiting approval, destroyed). */
    expiresAt: at('expires_at'),
    /** USD a month of what was last planned for it (after any shrinking). */
    monthlyUsd: doublePrecision('monthly_usd'),
    /** Cost accumulated before `priced_since`; since then it costs `monthly_usd` / 730 an hour. */
    costSoFarUsd: doublePrecision('cost_so_far_usd').notNull().default(0),
    pricedSince: at('priced_since'),
    /** What was shrunk to fit the caps, and why it was refused or destroyed, said on the PR. */
    shrunk: jsonb('shrunk').$type<string[]>(),
    /** The caps it was held to when last planned, and its price before shrinking (the comment's figures). */
    caps: jsonb('caps').$type<{ perPreview?: number; total?: number; othersMonthly: number; monthlyBefore?: number }>(),
    reason: text('reason'),
    destroyAttempts: integer('destroy_attempts').notNull().default(0),
    retryAt: at('retry_at'),
    githubEnvironment: text('github_environment').notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('previews_expiry_idx').on(t.expiresAt).where(sql`${t.state} = 'open'`),
    index('previews_retry_idx').on(t.retryAt).where(sql`${t.state} = 'destroy-failed'`),
    index('previews_app_idx').on(t.appId, t.state),
  ],
);

export type Installation = typeof installations.$inferSelect;
export type Repository = typeof repositories.$inferSelect;
export type App = typeof apps.$inferSelect;
export type Environment = typeof environments.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;
export type NewDeployment = typeof deployments.$inferInsert;
export type DeploymentEvent = typeof deploymentEvents.$inferSelect;
export type CommitHold = typeof commitHolds.$inferSelect;
export type DeploymentVerdict = typeof deploymentVerdicts.$inferSelect;
export type DeploymentLog = typeof deploymentLogs.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type MetricChunk = typeof metricChunks.$inferSelect;
export type Recommendation = typeof recommendations.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ReconcileTick = typeof reconcileTicks.$inferSelect;
export type Redelivery = typeof redeliveries.$inferSelect;
export type RepositoryHead = typeof repositoryHeads.$inferSelect;
export type DriftCheck = typeof driftChecks.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
export type Preview = typeof previews.$inferSelect;
