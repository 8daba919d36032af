/**
 * What a metric sample can be. Outside these bounds a sample is impossible, not merely unusual: the
 * intake refuses it with a 400 naming it (the engine separately flags implausible values among the
 * possible ones). Bounds are wide on purpose:
 * - time: from 2000-01-01 (no cloud metric is older; `0000-01-01`, `-1e15` and `1e20` are typos or
 *   attacks) to one day ahead of the server's clock (clock skew, time zones; never a forecast);
 * - cpu and memory are percent of the service's configured size: 100,000 % is 1,000 times it, far
 *   beyond Fargate's largest task relative to its smallest (64× the vCPU, 240× the memory);
 * - requests per second up to a billion, running tasks up to 100,000 (ECS runs at most 5,000 per
 *   service), queue backlog up to a billion messages, log and egress bytes per second up to 1e12
 *   (a terabyte a second, far beyond any one service), errors per second up to a billion (as
 *   requests), latency up to a day in milliseconds (no request waits longer).
 * The metric names are the engine's (`src/recommend/types.ts`): one list for the intake, the CLI
 * and the sources.
 */
import { metricNames, type MetricName } from '../recommend/types.ts';

export { metricNames, type MetricName };

export const earliestSampleMs = Date.UTC(2000, 0, 1);
export const futureAllowanceMs = 24 * 60 * 60 * 1000;

export const maxValue: Record<MetricName, number> = { cpu: 100_000, memory: 100_000, requests: 1e9, instances: 100_000, backlog: 1e9, logs: 1e12, egress: 1e12, errors: 1e9, latency: 86_400_000 };

const meaning: Record<MetricName, string> = {
  cpu: 'a cpu utilisation (percent of the configured cpu)',
  memory: 'a memory utilisation (percent of the configured memory)',
  requests: 'a request rate (per second)',
  instances: 'a running task count',
  backlog: 'a queue backlog (messages waiting)',
  logs: 'a log volume (bytes per second)',
  egress: 'a data transfer out (bytes per second)',
  errors: 'an error rate (failed requests per second)',
  latency: 'a response time (milliseconds)',
};

/** Why `ms` cannot be a sample's time, or undefined. */
export function timeProblem(ms: number, now: number): string | undefined {
  if (!Number.isFinite(ms) || ms < earliestSampleMs || ms > now + futureAllowanceMs) {
    return 'is not a possible sample time: samples lie between 2000-01-01 and one day from now';
  }
  return undefined;
}

/** Why `value` cannot be a sample of `metric`, or undefined. */
export function valueProblem(metric: MetricName, value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (value < 0) return 'is negative; utilisation, rates and counts are ≥ 0';
  if (value > maxValue[metric]) return `is above ${maxValue[metric]}, the most ${meaning[metric]} can be`;
  return undefined;
}
