/** Metrics pushed to Slipway's store (`POST /api/v1/metrics`, `slipway metrics import`). */
import { recommendationMetricNames, type ServiceMetrics } from '../types.ts';

export type ReadSamples = (app: string, service: string, metric: string, from: Date, to: Date) => Promise<{ at: Date; value: number }[]>;

export async function readStoreMetrics(read: ReadSamples, app: string, service: string, from: number, to: number): Promise<ServiceMetrics> {
  const out: ServiceMetrics = {};
  for (const metric of recommendationMetricNames) {
    const rows = await read(app, service, metric, new Date(from), new Date(to));
    if (rows.length > 0) out[metric] = rows.map((row) => ({ t: row.at.getTime(), v: row.value }));
  }
  return out;
}
