/**
 * Recommendations for an app from the samples in Slipway's store, over `metrics.lookback`
 * (default 14 days) before `now`: what the PR pipeline calls. `read` is the store's
 * `readMetricSamples` bound to a database handle.
 */
import type { PaasConfig } from '../config/schema.ts';
import { durationToSeconds } from '../config/units.ts';
import { recommendApp } from './recommend-app.ts';
import type { ServiceRecommendation } from './recommend-service.ts';
import { readStoreMetrics, type ReadSamples } from './sources/store-source.ts';
import type { ServiceMetrics } from './types.ts';

export async function recommendFromStore(
  read: ReadSamples,
  config: Pick<PaasConfig, 'name' | 'region' | 'services' | 'metrics'>,
  now: number,
): Promise<ServiceRecommendation[]> {
  const lookbackMs = durationToSeconds(config.metrics?.lookback ?? '14d') * 1000;
  const metrics: Record<string, ServiceMetrics> = {};
  for (const [name, service] of Object.entries(config.services)) {
    if (service.type !== 'web' && service.type !== 'worker' && service.type !== 'cron') continue;
    metrics[name] = await readStoreMetrics(read, config.name, name, now - lookbackMs, now);
  }
  return recommendApp(config, metrics, { now });
}
