/**
 * The smallest shape of a preview, as an override deep-merged over `previews:` — one instance of
 * each service (no schedule floors), the smallest Fargate size (0.25 vCPU, 512 MiB), the smallest
 * database and cache class, single-AZ, no replicas, no deletion protection — and what it changed,
 * in words for the PR comment. Pure: a resolved config in, data out.
 */
import type { PlainObject } from '../config/deep-merge.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { instanceRange } from '../config/units.ts';

export const smallestFargate = { cpu: 0.25, memory: '512Mi' } as const;
export const smallestDbSize = 'micro';

export type Shrink = { override: PlainObject; shrunk: string[] };

export function shrinkPreview(config: ResolvedConfig): Shrink {
  const services: PlainObject = {};
  const resources: PlainObject = {};
  const shrunk: string[] = [];
  const change = (into: PlainObject, name: string, field: string, from: unknown, to: unknown) => {
    if (from === to) return;
    ((into[name] ??= {}) as PlainObject)[field] = to;
    shrunk.push(`${name}: ${field} ${from === undefined ? 'default' : JSON.stringify(from)} → ${JSON.stringify(to)}`);
  };
  for (const [name, service] of Object.entries(config.services)) {
    if (service.type === 'web' || service.type === 'worker') {
      const range = instanceRange(service.instances);
      if (range.min !== 1 || range.max !== 1) change(services, name, 'instances', service.instances, 1);
      if (service.schedule && service.schedule.length > 0) change(services, name, 'schedule', `${service.schedule.length} floor(s)`, []);
    }
    if (service.type === 'web' || service.type === 'worker' || service.type === 'cron') {
      if ((service.cpu ?? smallestFargate.cpu) !== smallestFargate.cpu) change(services, name, 'cpu', service.cpu, smallestFargate.cpu);
      if ((service.memory ?? smallestFargate.memory) !== smallestFargate.memory) change(services, name, 'memory', service.memory, smallestFargate.memory);
    }
  }
  for (const [name, resource] of Object.entries(config.resources)) {
    if (resource.type === 'postgres') {
      change(resources, name, 'size', resource.size, smallestDbSize);
      change(resources, name, 'highAvailability', resource.highAvailability, false);
      if (resource.deletionProtection !== false) change(resources, name, 'deletionProtection', resource.deletionProtection, false);
    }
    if (resource.type === 'redis') {
      change(resources, name, 'size', resource.size, smallestDbSize);
      change(resources, name, 'replicas', resource.replicas, 0);
    }
  }
  const override: PlainObject = {};
  if (Object.keys(services).length > 0) override.services = services;
  if (Object.keys(resources).length > 0) override.resources = resources;
  return { override, shrunk };
}
