/** What the engine needs to know about a `paas.yaml` container service (web, worker, cron). */
import type { PaasConfig } from '../config/schema.ts';
import { defaultCpu, defaultMemory, instanceRange, sizeToMiB } from '../config/units.ts';
import type { ServiceSpec } from './types.ts';

export type SpecOf = { spec: ServiceSpec; scalable: boolean };

/** Undefined for services that do not run as Fargate tasks (function, static). */
export function serviceSpec(config: Pick<PaasConfig, 'name' | 'region' | 'services'>, name: string): SpecOf | undefined {
  const service = config.services[name];
  if (!service || (service.type !== 'web' && service.type !== 'worker' && service.type !== 'cron')) return undefined;
  const scalable = service.type !== 'cron';
  const spec: ServiceSpec = {
    app: config.name,
    service: name,
    cpu: service.cpu ?? defaultCpu,
    memoryMiB: sizeToMiB(service.memory ?? defaultMemory),
    instances: service.type === 'cron' ? { min: 1, max: 1 } : instanceRange(service.instances),
    region: config.region,
  };
  if (service.type !== 'cron' && service.autoscaling?.cpu !== undefined) spec.targetCpu = service.autoscaling.cpu;
  if (service.type === 'web' && service.autoscaling?.requestsPerInstance !== undefined) spec.requestsPerInstance = service.autoscaling.requestsPerInstance;
  if (service.type === 'worker' && service.autoscaling?.backlogPerInstance !== undefined) spec.backlogPerInstance = service.autoscaling.backlogPerInstance;
  return { spec, scalable };
}
