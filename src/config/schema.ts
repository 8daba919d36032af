/**
 * The `paas.yaml` schema. One zod schema per shape, and the TypeScript type derived from it under
 * the same name. Values stay as the user wrote them (`"512Mi"`, `"30s"`); `units.ts` turns them
 * into numbers where a number is needed. The JSON Schema for editors is generated from this file
 * (`npm run schema` → `schema/paas.schema.json`).
 */
import { z } from 'zod';
import { durationToSeconds } from './units.ts';

const describe = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description) as T;

/**
 * Names a paas.yaml may not use although they fit the pattern: the properties every JavaScript
 * object inherits (of those, only `constructor` is lowercase). CDKTF's constructs keep children in
 * plain objects, so a service, resource or app named `constructor` found "already a Construct with
 * that name" and synthesis threw; refusing it at validation is clearer than renaming it in the output.
 */
export const reservedNames: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype).filter((name) => /^[a-z][a-z0-9-]{0,38}$/.test(name)),
);

export const Name = describe(
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,38}$/, 'must start with a lowercase letter and use only a-z, 0-9 and "-", at most 39 characters')
    .refine((name) => !reservedNames.has(name), { message: 'is a reserved name (a built-in property of JavaScript objects, which synthesis cannot use): choose another name' }),
  'Lowercase name: a letter, then letters, digits or "-"; at most 39 characters; not `constructor`.',
);
export const Region = describe(
  z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1 or eu-west-1'),
  'AWS region, for example us-east-1.',
);
/** Memory or storage size with a binary unit: 512Mi, 1Gi, 20Gi, 1Ti. */
export const Size = describe(
  z.string().regex(/^\d+(\.\d+)?(Mi|Gi|Ti)$/, 'must be a size with a unit, such as 512Mi, 1Gi or 20Gi'),
  'Size with a unit: Mi, Gi or Ti (512Mi, 1Gi, 20Gi).',
);
/** Duration with a unit: 500ms, 30s, 5m, 2h, 3d. */
export const Duration = describe(
  z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration with a unit, such as 30s, 5m, 2h or 3d'),
  'Duration with a unit: ms, s, m, h or d (30s, 5m, 3d).',
);
export const Percent = z.number().gt(0).max(100);

export const EnvValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  describe(
    z.strictObject({ from: z.string().regex(/^[a-z][a-z0-9-]*\.[a-zA-Z]+$/, 'must be <name>.<output>, such as db.url') }),
    'The output of a resource (or web service) of this app: db.url, cache.url, tasks.url, uploads.name, web.url.',
  ),
  describe(
    z.strictObject({ secret: z.string().min(1).max(512) }),
    'A secret by name (an SSM parameter under /slipway/<app>/<name>) or by full SSM / Secrets Manager ARN. Never a value.',
  ),
]);
export type EnvValue = z.infer<typeof EnvValue>;
export const Env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name'), EnvValue);

export const Build = z.strictObject({
  dockerfile: z.string().default('Dockerfile'),
  context: z.string().default('.'),
});

/** The most tasks one service may run (instances, schedule floors); recommendations are clamped to it. */
export const maxInstances = 1000;

export const Instances = describe(
  z.union([
    z.number().int().min(0).max(maxInstances),
    z.strictObject({ min: z.number().int().min(0).max(maxInstances), max: z.number().int().min(1).max(maxInstances) }),
  ]),
  'A fixed count, or { min, max } for autoscaling.',
);
export type Instances = z.infer<typeof Instances>;

export const ScheduleFloor = z.strictObject({
  cron: describe(z.string(), 'Five-field cron expression (UTC) at which this floor takes effect.'),
  min: z.number().int().min(0).max(maxInstances).optional(),
  max: z.number().int().min(1).max(maxInstances).optional(),
});
export type ScheduleFloor = z.infer<typeof ScheduleFloor>;

export const Health = z.strictObject({
  path: z.string().startsWith('/').default('/healthz'),
  interval: Duration.default('10s'),
  timeout: Duration.default('5s'),
  grace: Duration.default('30s'),
  healthyThreshold: z.number().int().min(2).max(10).default(3),
  unhealthyThreshold: z.number().int().min(2).max(10).default(3),
});

const Cpu = describe(z.number().positive(), 'vCPU: 0.25, 0.5, 1, 2, 4, 8 or 16 (a valid Fargate pair with memory).');
const Domain = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase domain name such as shop.example.com');

const container = {
  image: describe(z.string().min(1), 'Container image; ${sha} is replaced with the commit being deployed.').optional(),
  build: Build.optional(),
  command: z.array(z.string()).optional(),
  cpu: Cpu.optional(),
  memory: Size.optional(),
  env: Env.optional(),
};

export const WebService = z.strictObject({
  type: z.literal('web'),
  ...container,
  port: z.number().int().min(1).max(65535).default(8080),
  instances: Instances.optional(),
  autoscaling: z
    .strictObject({ cpu: Percent.optional(), memory: Percent.optional(), requestsPerInstance: z.number().int().positive().optional() })
    .optional(),
  schedule: z.array(ScheduleFloor).optional(),
  health: Health.optional(),
  domains: z.array(Domain).optional(),
});

export const WorkerService = z.strictObject({
  type: z.literal('worker'),
  ...container,
  queue: describe(z.string(), 'Name of a queue resource this worker consumes; scales on its backlog.').optional(),
  instances: Instances.optional(),
  autoscaling: z
    .strictObject({ cpu: Percent.optional(), memory: Percent.optional(), backlogPerInstance: z.number().int().positive().optional() })
    .optional(),
  schedule: z.array(ScheduleFloor).optional(),
});

export const CronService = z.strictObject({
  type: z.literal('cron'),
  ...container,
  schedule: describe(z.string(), 'Five-field cron expression, UTC.'),
  timeout: Duration.optional(),
});

export const FunctionService = z.strictObject({
  type: z.literal('function'),
  runtime: z.enum(['nodejs20.x', 'nodejs22.x', 'python3.12', 'python3.13', 'java21', 'provided.al2023']).default('nodejs20.x'),
  handler: z.string().default('index.handler'),
  source: describe(z.string().min(1), 'Folder in the repository holding the function code.'),
  memory: Size.optional(),
  timeout: Duration.optional(),
  env: Env.optional(),
  trigger: z
    .strictObject({
      bucket: z.string().optional(),
      queue: z.string().optional(),
      schedule: z.string().optional(),
      http: z.boolean().optional(),
    })
    .optional(),
});

export const StaticService = z.strictObject({
  type: z.literal('static'),
  source: describe(z.string().min(1), 'Folder in the repository (or build output) holding the files to serve.'),
  spa: describe(z.boolean(), 'Serve index.html for unknown paths (single-page apps).').default(false),
  domains: z.array(Domain).optional(),
});

export const Service = z.discriminatedUnion('type', [WebService, WorkerService, CronService, FunctionService, StaticService]);
export type Service = z.infer<typeof Service>;
export type WebService = z.infer<typeof WebService>;
export type WorkerService = z.infer<typeof WorkerService>;
export type CronService = z.infer<typeof CronService>;
export type FunctionService = z.infer<typeof FunctionService>;
export type StaticService = z.infer<typeof StaticService>;
export type ServiceType = Service['type'];

export const DbSize = z.enum(['micro', 'small', 'medium', 'large', 'xlarge']);

export const PostgresResource = z.strictObject({
  type: z.literal('postgres'),
  version: z.enum(['14', '15', '16', '17']).default('16'),
  size: DbSize.default('small'),
  storage: Size.default('20Gi'),
  highAvailability: z.boolean().default(false),
  backupDays: z.number().int().min(0).max(35).default(7),
  deletionProtection: describe(z.boolean(), 'Defaults to true in production and false elsewhere.').optional(),
});
export const RedisResource = z.strictObject({
  type: z.literal('redis'),
  version: z.enum(['6.2', '7.0', '7.1']).default('7.1'),
  size: DbSize.default('micro'),
  replicas: z.number().int().min(0).max(5).default(0),
});
export const QueueResource = z.strictObject({
  type: z.literal('queue'),
  deadLetterAfter: describe(z.number().int().min(1).max(1000), 'Receives before a message moves to the dead-letter queue.').default(5),
  visibilityTimeout: Duration.default('30s'),
  retention: Duration.default('4d'),
  fifo: z.boolean().default(false),
});
export const BucketResource = z.strictObject({
  type: z.literal('bucket'),
  versioning: z.boolean().default(false),
  expireAfter: describe(Duration, 'Delete objects older than this.').optional(),
});
export const Resource = z.discriminatedUnion('type', [PostgresResource, RedisResource, QueueResource, BucketResource]);
export type Resource = z.infer<typeof Resource>;
export type PostgresResource = z.infer<typeof PostgresResource>;
export type RedisResource = z.infer<typeof RedisResource>;
export type QueueResource = z.infer<typeof QueueResource>;
export type BucketResource = z.infer<typeof BucketResource>;
export type ResourceType = Resource['type'];

export const Budget = z.strictObject({
  monthly: describe(z.number().positive(), 'USD per month for this environment.').optional(),
  preview: describe(z.number().positive(), 'USD per month cap for each preview environment.').optional(),
});

export const MetricQueries = z.strictObject({
  cpu: z.string().optional(),
  memory: z.string().optional(),
  requests: z.string().optional(),
  backlog: describe(z.string(), 'Messages waiting in the queue a worker consumes.').optional(),
});
export const Metrics = z.strictObject({
  source: z.enum(['prometheus', 'cloudwatch', 'store']).default('store'),
  url: z.url().optional(),
  lookback: Duration.default('14d'),
  queries: describe(MetricQueries, 'PromQL per metric; {app} and {service} are replaced.').optional(),
});

export const deployModes = ['auto', 'manual'] as const;
const DeployMode = describe(z.enum(deployModes), 'auto: a push to the default branch applies; manual: the push plans and a person applies.');
const DeployAfter = describe(
  z.array(z.string().min(1, 'must be a check name')),
  'Check runs or commit statuses that must succeed on the commit before it is applied (e.g. the CI job that builds its image).',
);
// `deploy: manual` is short for `deploy: { mode: manual }`. A string first (so a mapping is
// reported against the mapping form's fields, not as "not one of auto, manual").
const deployShorthand = z.string().pipe(DeployMode);
/** When an environment applies, and which checks it waits for. */
export const Deploy = describe(
  z.union([z.strictObject({ mode: DeployMode.default('auto'), after: DeployAfter.default([]) }), deployShorthand.transform((mode) => ({ mode, after: [] as string[] }))]),
  'When pushes apply: auto (default) or manual, and the checks to wait for (after). `deploy: manual` is short for `deploy: { mode: manual }`.',
);
export type Deploy = z.output<typeof Deploy>;
/** In an environment: only what it changes (an unset field keeps the top level's). */
const DeployOverride = describe(
  z.union([z.strictObject({ mode: DeployMode.optional(), after: DeployAfter.optional() }), deployShorthand.transform((mode) => ({ mode }))]),
  'This environment\'s deploy mode and checks, over the top level\'s.',
);

/** What a deploy's verdict may watch: each is worse when higher (src/rollback/). */
export const rollbackMetrics = ['cpu', 'memory', 'errors', 'latency'] as const;
export type RollbackMetric = (typeof rollbackMetrics)[number];
const RollbackAuto = describe(z.boolean(), 'Roll back automatically when the verdict after a deploy is a regression (never when it is inconclusive).');
const RollbackWatch = describe(
  Duration.refine((d) => durationToSeconds(d) >= 300 && durationToSeconds(d) <= 86_400, { message: 'must be between 5m and 24h: long enough to hold samples, short enough to still be about this deploy' }),
  'How long after a deploy its metrics are watched and judged against the baseline (5m to 24h).',
);
const RollbackMetricName = describe(z.enum(rollbackMetrics), 'cpu, memory, errors or latency (each worse when higher).');
/** A watched metric read from Prometheus (the server is Slipway's `SLIPWAY_PROMETHEUS_URL`) instead of the store. */
const RollbackPrometheusMetric = describe(
  z.strictObject({
    name: RollbackMetricName,
    prometheus: describe(z.string().trim().min(1), 'PromQL giving this metric for one service; {app} and {service} are replaced. Read through /api/v1/query_range, one point a minute.'),
  }),
  'A metric read from Prometheus: its name and the PromQL query.',
);
export type RollbackMetricEntry = RollbackMetric | z.output<typeof RollbackPrometheusMetric>;
const metricNameOf = (entry: RollbackMetricEntry): RollbackMetric => (typeof entry === 'string' ? entry : entry.name);
const RollbackMetricList = describe(
  z
    .array(z.union([RollbackMetricName, RollbackPrometheusMetric]))
    .min(1, 'must list at least one metric: cpu, memory, errors or latency')
    .refine((list) => new Set(list.map(metricNameOf)).size === list.length, { message: 'lists a metric twice: name each once' }),
  'The service metrics judged after a deploy: cpu, memory, errors, latency (each worse when higher), each from the store or `{ name, prometheus: <PromQL> }` from Prometheus.',
);
/** Judging a deploy by its metrics, and rolling back when it made the service worse. */
export const Rollback = describe(
  z.strictObject({ auto: RollbackAuto.default(false), watch: RollbackWatch.default('15m'), metrics: RollbackMetricList.default([...rollbackMetrics]) }),
  'Judge each deploy by its metrics for `watch` after it applies, and (auto) roll back a regression.',
);
export type Rollback = z.output<typeof Rollback>;
const RollbackOverride = describe(
  z.strictObject({ auto: RollbackAuto.optional(), watch: RollbackWatch.optional(), metrics: RollbackMetricList.optional() }),
  "This environment's rollback settings, over the top level's.",
);
/** How often a drift check may run at most: a reconcile tick is every few minutes. */
const minimumDriftMinutes = 5;
const driftMinutes: Record<string, number> = { m: 1, h: 60, d: 1440 };
const DriftEvery = describe(
  z.union([
    z.literal('off'),
    z
      .string()
      .regex(/^\d+(m|h|d)$/, 'must be a duration such as 30m, 6h or 1d, or off')
      .refine((v) => !/^\d+(m|h|d)$/.test(v) || Number(v.slice(0, -1)) * driftMinutes[v.slice(-1)]! >= minimumDriftMinutes, { message: `must be at least ${minimumDriftMinutes}m (drift is checked by the reconcile tick, every few minutes)` }),
  ]),
  'How often drift is checked: a duration (30m, 6h, 1d) or off.',
);
/**
 * Drift: changes made outside Slipway (a console edit, a script) to what an environment last
 * applied. Checked by the reconcile tick on this schedule; `heal: true` re-applies the desired state.
 */
export const Drift = describe(
  z.strictObject({
    every: DriftEvery.default('24h'),
    heal: describe(z.boolean(), 'Re-apply the desired state when drift is found (through the runner, with its locks and guards).').default(false),
  }),
  'How often drift is checked (every: 24h by default, or off) and whether it is healed (heal: false by default).',
);
export type Drift = z.output<typeof Drift>;
const DriftOverride = describe(z.strictObject({ every: DriftEvery.optional(), heal: z.boolean().optional() }), "This environment's drift schedule and healing, over the top level's.");

/** The overridable part of the top level, shared by environments and previews. */
const overrideFields = {
  deploy: DeployOverride.optional(),
  rollback: RollbackOverride.optional(),
  drift: DriftOverride.optional(),
  region: Region.optional(),
  services: describe(z.record(z.string(), z.record(z.string(), z.unknown())), 'Per-service fields deep-merged over the top level.').optional(),
  resources: describe(z.record(z.string(), z.record(z.string(), z.unknown())), 'Per-resource fields deep-merged over the top level.').optional(),
  budget: Budget.optional(),
  tags: z.record(z.string(), z.string()).optional(),
};
export const EnvironmentOverride = z.strictObject(overrideFields);
export type EnvironmentOverride = z.infer<typeof EnvironmentOverride>;

// Previews are short-lived and never checked for drift: `drift` is not one of their fields.
const { drift: _previewDrift, ...previewFields } = overrideFields;
export const Previews = z.strictObject({
  enabled: z.boolean().default(false),
  ttl: describe(Duration, 'A preview with no push for this long is destroyed (a new push brings it back).').default('3d'),
  maxMonthly: describe(z.number().positive(), 'USD per month one preview may cost; over it the preview is shrunk, and refused if still over.').optional(),
  totalMonthly: describe(z.number().positive(), "USD per month all of this app's open previews together may cost.").optional(),
  maxOpen: describe(z.number().int().min(1).max(100), 'How many previews of this app may be up at once; the oldest idle one is destroyed for a new one.').optional(),
  ...previewFields,
});
export type Previews = z.output<typeof Previews>;
/** The `previews` fields that shape the preview itself are overrides; these are not. */
export const previewOnlyKeys = ['enabled', 'ttl', 'maxMonthly', 'totalMonthly', 'maxOpen'] as const;

/**
 * A glob of repository paths whose changes affect the app (as Atlantis' `when_modified`), from the
 * repository root: `src/**`, `libs/shared/**`, `Dockerfile`. picomatch syntax; dot files match.
 */
export const WatchGlob = describe(
  z
    .string()
    .min(1)
    .max(256)
    .refine((glob) => !glob.startsWith('/') && !glob.split('/').includes('..') && !glob.includes('\\'), {
      message: 'a watch glob is a path from the repository root: no leading /, no .. segment, / as separator',
    }),
  'A glob of repository paths (from the root) whose changes affect the app.',
);

export const PaasConfig = z.strictObject({
  version: z.literal(1),
  name: Name,
  region: Region.default('us-east-1'),
  services: z.record(Name, Service).default({}),
  resources: z.record(Name, Resource).default({}),
  environments: describe(z.record(Name, EnvironmentOverride), 'Named environments; production is implied.').default({}),
  previews: Previews.optional(),
  budget: Budget.optional(),
  deploy: Deploy.optional(),
  rollback: Rollback.optional(),
  drift: Drift.optional(),
  metrics: Metrics.optional(),
  tags: describe(z.record(z.string(), z.string()), 'Tags put on every resource.').optional(),
  watch: describe(
    z.array(WatchGlob).max(100),
    "Files besides the app's own folder and .slipway/ whose changes make a push plan the app.",
  ).optional(),
});
export type PaasConfig = z.infer<typeof PaasConfig>;
/** A config with one environment's overrides merged in: what synthesis, cost and policy see. */
export type ResolvedConfig = PaasConfig & { environment: string };
