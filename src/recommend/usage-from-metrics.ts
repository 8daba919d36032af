/**
 * Usage figures for the cost estimate from recorded metrics, instead of only a `--usage` file:
 * per service (its cost component), the mean request rate, log output and bytes sent out over the
 * recorded window, as monthly totals (730 hours). Where the cost model prices them (log groups'
 * ingestion, data processed or sent out), the estimate then says an amount instead of "depends on
 * usage". Implausible samples are left out as everywhere else (plausible.ts).
 */
import { mean } from 'simple-statistics';
import type { CostUsage, UsageFigures } from '../cost/estimate-cost.ts';
import { hoursPerMonth } from './fargate-prices.ts';
import { cleanSeries } from './clean-series.ts';
import { plausibleMax } from './plausible.ts';
import type { MetricName, ServiceMetrics } from './types.ts';

const secondsPerMonth = hoursPerMonth * 3600;
/** AWS bills "GB" of logs and transfer in units of 2^30 bytes. */
const bytesPerGb = 2 ** 30;

export function usageFromMetrics(metrics: Record<string, ServiceMetrics | undefined>): { usage: CostUsage; notes: string[] } {
  const usage: CostUsage = {};
  const notes: string[] = [];
  for (const [service, series] of Object.entries(metrics)) {
    if (!series) continue;
    const rate = (name: MetricName) => {
      const raw = series[name];
      if (!raw || raw.length === 0) return undefined;
      const clean = cleanSeries(raw, { maxPlausible: plausibleMax[name] });
      if (clean.implausible) notes.push(`${service}: ${clean.implausible.count} implausible ${name} sample(s) left out`);
      return clean.samples.length > 0 ? mean(clean.samples.map((s) => s.v)) : undefined;
    };
    const figures: UsageFigures = {};
    const requests = rate('requests');
    const logs = rate('logs');
    const egress = rate('egress');
    if (requests !== undefined) figures.requestsPerMonth = requests * secondsPerMonth;
    if (logs !== undefined) figures.logIngestGb = (logs * secondsPerMonth) / bytesPerGb;
    if (egress !== undefined) figures.dataGb = (egress * secondsPerMonth) / bytesPerGb;
    if (Object.keys(figures).length > 0) usage[service] = figures;
  }
  return { usage, notes };
}

/** Figures from a `--usage` file (or any explicit source) win over those from metrics, field by field. */
export function mergeUsage(fromMetrics: CostUsage, explicit: CostUsage | undefined): CostUsage {
  const out: CostUsage = { ...fromMetrics };
  for (const [key, figures] of Object.entries(explicit ?? {})) out[key] = { ...out[key], ...figures };
  return out;
}
