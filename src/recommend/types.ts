/**
 * The part of a recommendation that the report and the PR review need. The recommend module may
 * carry more (evidence, anomalies); it must carry at least this.
 */
export type RecommendationSummary = {
  app: string;
  service: string;
  /** e.g. `cpu`, `memory`, `instances`, `autoscaling`, `schedule`. */
  kind: string;
  title: string;
  /** One or two sentences of evidence a reviewer can check. */
  detail: string;
  /** USD per month; positive saves money, negative adds cost. */
  monthlySaving: number;
  /** 0..1 */
  confidence: number;
  /** A one-click fix on a paas.yaml line, when one applies. */
  suggestion?: { file: string; line: number; endLine?: number; replacement: string };
  /** The value proposed, as data: what the history compares a later paas.yaml against. */
  change?: RecommendationChange;
};

/** A proposed value of one `paas.yaml` field of the service (memory in MiB). */
export type RecommendationChange =
  | { field: 'cpu' | 'memory' | 'autoscaling.cpu' | 'autoscaling.backlogPerInstance'; to: number }
  | { field: 'instances'; to: { min: number; max: number } }
  | { field: 'schedule'; to: { cron: string; min?: number; max?: number }[] };

/** One observation: `t` epoch milliseconds, `v` the value (utilisation in percent, or a rate). */
export type Sample = { t: number; v: number };

/**
 * The metrics the engine reads for a service. Utilisation (`cpu`, `memory`) is in percent of the
 * CURRENT allocation; `requests` per second; `instances` running tasks; `backlog` messages waiting
 * in the queue a worker consumes; `logs` bytes of log output per second and `egress` bytes sent
 * out per second (for usage-based cost estimates); `errors` failed requests per second and
 * `latency` response time in milliseconds (what a deploy's verdict watches, src/rollback/).
 */
export const metricNames = ['cpu', 'memory', 'requests', 'instances', 'backlog', 'logs', 'egress', 'errors', 'latency'] as const;
export type MetricName = (typeof metricNames)[number];
/** The metrics recommendations read (errors and latency are for deploy verdicts only). */
export const recommendationMetricNames: readonly MetricName[] = metricNames.filter((name) => name !== 'errors' && name !== 'latency');

/** A service's series, any of which may be missing. `instances` is the running task count, when known. */
export type ServiceMetrics = Partial<Record<MetricName, Sample[]>>;

/** What the engine knows about one service: its current sizing and where it sits in `paas.yaml`. */
export type ServiceSpec = {
  app: string;
  service: string;
  /** vCPU per task now. */
  cpu: number;
  /** MiB per task now. */
  memoryMiB: number;
  instances: { min: number; max: number };
  /** Configured autoscaling target (percent), when any. */
  targetCpu?: number;
  /** Web: `autoscaling.requestsPerInstance`. */
  requestsPerInstance?: number;
  /** Worker: `autoscaling.backlogPerInstance` (messages waiting per running task). */
  backlogPerInstance?: number;
  region: string;
};

/** Where a paas.yaml value sits: what `loadApps` `locate(path)` returns. */
export type Locate = (path: (string | number)[]) => { line: number; column: number; endLine?: number } | undefined;
