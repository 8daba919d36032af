/** Every Fargate service of an app (web, worker, cron) that has metrics, in `paas.yaml` order. */
import type { PaasConfig } from '../config/schema.ts';
import { recommendService, type RecommendOptions, type ServiceRecommendation } from './recommend-service.ts';
import { serviceSpec } from './service-spec.ts';
import type { ServiceMetrics } from './types.ts';

export function recommendApp(
  config: Pick<PaasConfig, 'name' | 'region' | 'services'>,
  metrics: Record<string, ServiceMetrics | undefined>,
  options: Omit<RecommendOptions, 'scalable'> = {},
): ServiceRecommendation[] {
  const out: ServiceRecommendation[] = [];
  for (const name of Object.keys(config.services)) {
    const of = serviceSpec(config, name);
    const series = metrics[name];
    if (!of || !series) continue;
    out.push(recommendService(of.spec, series, { ...options, scalable: of.scalable }));
  }
  return out;
}
