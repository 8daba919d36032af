/**
 * Values no service can produce are measurement or ingestion faults, not load: a Fargate task
 * cannot use more than its cpu or memory (a little over 100 % is averaging jitter; twice the
 * allocation is not), Slipway never runs more than 1,000 tasks of a service (the schema's limit;
 * up to twice that during a rolling deployment), and 10^300 requests a second is a parsing
 * accident. Such samples are left out by the cleaner (clean-series.ts, `maxPlausible`) before
 * anything is computed, and flagged, so that two
 * samples of 1e300 cannot recommend 10^294 tasks and one spike of 100,000 % cannot set the max.
 * Anything within these bounds, however unusual, stays: unusual is the anomaly detector's call.
 */
import type { MetricName } from './types.ts';

/** The largest plausible value of each metric, in its own unit. */
export const plausibleMax: Record<MetricName, number> = {
  cpu: 200, // percent of the task's cpu
  memory: 200, // percent of the task's memory
  instances: 2000, // running tasks
  requests: 1e8, // per second: 1,000 tasks at 100,000 requests a second each
  backlog: 1e10, // messages waiting
  logs: 1e10, // bytes a second: 10 GB/s of log output
  egress: 1e11, // bytes a second: 100 GB/s, more than any task's network can send
  errors: 1e8, // failed requests per second: as requests
  latency: 3_600_000, // milliseconds: an hour, longer than any load balancer waits
};

export type Implausible = { metric: MetricName; count: number; largest: number; bound: number };

export function describeImplausible(x: Implausible): string {
  const unit = x.metric === 'cpu' || x.metric === 'memory' ? ' %' : '';
  return `left out ${x.count} implausible sample(s) above ${x.bound.toLocaleString('en-US')}${unit} (largest ${formatLarge(x.largest)}${unit}): a measurement or ingestion fault, not load`;
}

function formatLarge(x: number): string {
  return Math.abs(x) >= 1e6 ? x.toExponential(2) : String(Math.round(x * 100) / 100);
}
