/**
 * The service's Prometheus metrics (prom-client, in a registry of the service's own: no global
 * state). Counters and histograms are fed by the parts that see the events (the webhook route, the
 * worker, the runner, the GitHub client); queue, deployment, environment and drift figures are read from
 * the store when Prometheus scrapes, so every web process reports the same queue.
 *
 * `storeFiguresMaxAgeMs` (the service: 5 s): a scrape within that long of the last store read
 * reuses its figures, rendered once — they are at most that old (plus the read's own duration).
 * A read of 1,000 environments' latest deployments is most of a scrape's cost; Prometheus pairs,
 * Grafana's explore and a curl at the same moment read the store once. A failed read is not kept:
 * the next scrape reads again. 0 (the default) reads at every scrape.
 * docs/operations.md lists every metric; ops/ holds the dashboard and alert rules built on them.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../store/db.ts';
import { deploymentStatuses } from '../store/schema.ts';
import { readOpsFigures, type OpsFigures } from '../store/ops-figures.ts';
import { gaugeFamilyText } from './gauge-family-text.ts';

export type ServiceMetrics = {
  /** A webhook delivery answered: its event, outcome (`queued`, `recorded`, `duplicate`, `rejected`…) and seconds taken. */
  delivery: (event: string, outcome: string, seconds: number) => void;
  /** A job's handler ended: `completed`, `failed`, `dead`, `released`. */
  job: (kind: string, outcome: string, seconds: number) => void;
  /** A runner step (`init`, `plan`, `show`, `apply`) ended. */
  runnerPhase: (phase: string, ok: boolean, seconds: number) => void;
  /** GitHub's `x-ratelimit-remaining` seen on an installation's response. */
  rateLimitRemaining: (installation: number, remaining: number) => void;
  /** A store operation failed (`delivery`, `claim`, `complete`, `scrape`, `api`…). */
  storeError: (operation: string) => void;
  /** An API v1 request answered. */
  apiRequest: (method: string, status: number) => void;
  /** The text Prometheus scrapes, store figures read now. */
  render: () => Promise<{ contentType: string; body: string }>;
};

const secondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const longBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export function createServiceMetrics(deps: { db: Db; now?: () => Date; storeFiguresMaxAgeMs?: number }): ServiceMetrics {
  const now = deps.now ?? (() => new Date());
  const maxAgeMs = deps.storeFiguresMaxAgeMs ?? 0;
  // Counted by this process, rendered at every scrape.
  const registry = new Registry();
  // Read from the store, rendered once per read (see storeFiguresMaxAgeMs).
  const storeRegistry = new Registry();
  const deliveries = new Counter({ name: 'slipway_webhook_deliveries_total', help: 'Webhook deliveries answered, by event and outcome.', labelNames: ['event', 'outcome'], registers: [registry] });
  const ingest = new Histogram({ name: 'slipway_webhook_ingest_seconds', help: 'Time from a delivery arriving to its answer (verify, store, commit).', labelNames: ['outcome'], buckets: secondsBuckets, registers: [registry] });
  const queued = new Gauge({ name: 'slipway_jobs_queued', help: 'Jobs due and waiting for a worker, by kind.', labelNames: ['kind'], registers: [storeRegistry] });
  const oldest = new Gauge({ name: 'slipway_jobs_oldest_queued_age_seconds', help: 'How long the oldest due job of each kind has waited.', labelNames: ['kind'], registers: [storeRegistry] });
  const jobDuration = new Histogram({ name: 'slipway_job_duration_seconds', help: 'Job handler run time, by kind and outcome.', labelNames: ['kind', 'outcome'], buckets: longBuckets, registers: [registry] });
  const phases = new Histogram({ name: 'slipway_runner_phase_seconds', help: 'Terraform step durations in the runner, by phase and result.', labelNames: ['phase', 'result'], buckets: longBuckets, registers: [registry] });
  const deploymentsByStatus = new Gauge({ name: 'slipway_deployments', help: 'Deployments recorded, by status.', labelNames: ['status'], registers: [storeRegistry] });
  const rateLimit = new Gauge({ name: 'slipway_github_rate_limit_remaining', help: 'GitHub API requests left in the current window, per installation.', labelNames: ['installation'], registers: [registry] });
  const storeErrors = new Counter({ name: 'slipway_store_errors_total', help: 'Store operations that failed, by operation.', labelNames: ['operation'], registers: [registry] });
  // Rendered after the per-environment families (gauge-family-text.ts), as it was registered after them.
  const upRegistry = new Registry();
  const storeUp = new Gauge({ name: 'slipway_store_up', help: '1 when the store answered this scrape’s queries.', registers: [upRegistry] });
  const apiRequests = new Counter({ name: 'slipway_api_requests_total', help: 'API v1 requests answered, by method and status code.', labelNames: ['method', 'status'], registers: [registry] });

  // Read from the store too, rendered by gaugeFamilyText: each environment's latest deployment and drift check, as last read (kept when a read fails).
  const environmentLabels = ['repository', 'app', 'environment', 'status'] as const;
  let environments: { latest: OpsFigures['latest']; drift: OpsFigures['drift'] } = { latest: [], drift: [] };

  async function readStore(): Promise<void> {
    const at = now();
    const { queue, counts, latest, drift } = await readOpsFigures(deps.db, at);
    queued.reset();
    oldest.reset();
    for (const q of queue) {
      queued.set({ kind: q.kind }, q.queued);
      oldest.set({ kind: q.kind }, q.oldestQueuedAt ? Math.max(0, (at.getTime() - q.oldestQueuedAt.getTime()) / 1000) : 0);
    }
    // Every status is reported, 0 included, so a rate over it never starts from a missing series.
    const byStatus = new Map(counts.map((c) => [c.status, c.count]));
    for (const status of deploymentStatuses) deploymentsByStatus.set({ status }, byStatus.get(status) ?? 0);
    environments = { latest, drift };
  }

  /** The store's figures as text, in the order they were once all registered in storeRegistry. */
  async function storeText(): Promise<string> {
    return [
      (await storeRegistry.metrics()).slice(0, -1), // its families, without the final newline
      gaugeFamilyText('slipway_environment_deployment_status', 'Status of each environment’s latest deployment (1 for the status it has).', environmentLabels, environments.latest, 1),
      gaugeFamilyText('slipway_environment_drift_status', 'Result of each environment’s latest drift check (1 for the status it has: clean, drifted, error).', environmentLabels, environments.drift, 1),
      await upRegistry.metrics(),
    ].join('\n\n');
  }

  let stored: { at: number; text: string } | undefined;
  let reading: Promise<void> | undefined;
  async function refresh(at: number): Promise<void> {
    try {
      await readStore();
      storeUp.set(1);
      stored = { at, text: `${await storeText()}\n` };
    } catch {
      // The last figures read, with the store down; not kept, so the next scrape reads again.
      storeUp.set(0);
      storeErrors.inc({ operation: 'scrape' });
      stored = { at: -Infinity, text: `${await storeText()}\n` };
    }
  }

  return {
    delivery: (event, outcome, seconds) => {
      deliveries.inc({ event, outcome });
      ingest.observe({ outcome }, seconds);
    },
    job: (kind, outcome, seconds) => jobDuration.observe({ kind, outcome }, seconds),
    runnerPhase: (phase, ok, seconds) => phases.observe({ phase, result: ok ? 'ok' : 'failed' }, seconds),
    rateLimitRemaining: (installation, remaining) => rateLimit.set({ installation: String(installation) }, remaining),
    storeError: (operation) => storeErrors.inc({ operation }),
    apiRequest: (method, status) => apiRequests.inc({ method, status: String(status) }),
    render: async () => {
      const at = now().getTime();
      if (!stored || at - stored.at >= maxAgeMs) {
        // Scrapes arriving during a read wait for it rather than starting their own.
        reading ??= refresh(at).finally(() => (reading = undefined));
        await reading;
      }
      return { contentType: registry.contentType, body: `${stored?.text ?? ''}${await registry.metrics()}` };
    },
  };
}
