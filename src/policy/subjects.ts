/**
 * What a rule's `select` ranges over. Each subject carries the object its conditions read, the
 * name it is reported under, and where in paas.yaml it comes from (when that can be traced).
 */
import type { PaasConfig } from '../config/schema.ts';
import { defaultCpu, defaultMemory, instanceRange, sizeToGiB, sizeToMiB } from '../config/units.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import type { Plan } from '../plan/types.ts';
import { globToRegExp, type ResourceGraph } from './resource-graph.ts';
import type { Select } from './rule-schema.ts';

export type Subject = {
  /** Reported name: a Terraform address or a paas.yaml path. */
  id: string;
  value: unknown;
  /** Terraform address, for `related` conditions. */
  address?: string;
  /** The paas.yaml path this subject comes from (`services.web`, `resources.db`, `` for the app). */
  configPath?: string;
};

export type SubjectSources = {
  config: PaasConfig;
  environment: string;
  preview: boolean;
  graph: ResourceGraph;
  plan?: Plan;
  cost?: CostEstimate;
  costDiff?: CostDiff;
  componentPath: (component: string | undefined) => string | undefined;
  componentOf: (block: Record<string, unknown>) => string | undefined;
};

/** Derived config fields and the paas.yaml field each one is read from (for locations). */
export const derivedFields: Record<string, string> = {
  memoryMiB: 'memory',
  instancesMin: 'instances',
  instancesMax: 'instances',
  storageGiB: 'storage',
};

const types = (value: string | string[]): string[] => (typeof value === 'string' ? [value] : value);

/** Subjects for a selector, or `undefined` when the input it needs (a plan, a cost) was not given. */
export function selectSubjects(select: Select, sources: SubjectSources): Subject[] | undefined {
  if (select.resource) {
    return sources.graph.ofTypes(types(select.resource.type)).map((resource) => ({
      id: resource.address,
      value: resource.view,
      address: resource.address,
      configPath: sources.componentPath(sources.componentOf(resource.block)),
    }));
  }
  if (select.plan) {
    if (!sources.plan) return undefined;
    const wanted = select.plan.type ? types(select.plan.type).map(globToRegExp) : undefined;
    const actions = select.plan.action;
    return sources.plan.resources
      .filter((change) => (!wanted || wanted.some((pattern) => pattern.test(change.type))) && (!actions || actions.includes(change.action)))
      .map((change) => ({
        id: change.address,
        value: change,
        address: change.address,
        configPath: sources.componentPath(change.component ?? sources.componentOf(change.after ?? change.before ?? {})),
      }));
  }
  if (select.cost) {
    const cost = sources.costDiff?.after ?? sources.cost;
    if (!cost) return undefined;
    const diff = sources.costDiff;
    if (select.cost === 'total') {
      return [
        {
          id: `cost of ${sources.config.name} (${sources.environment})`,
          value: {
            monthly: cost.monthly,
            before: diff?.before.monthly,
            delta: diff?.delta,
            deltaPercent: diff?.deltaPercent ?? undefined,
            unpriced: cost.unpriced.length,
            environment: sources.environment,
            preview: sources.preview,
          },
        },
      ];
    }
    return Object.entries(cost.byComponent).map(([component, monthly]) => {
      const before = diff?.before.byComponent[component];
      return {
        id: `cost of ${component}`,
        value: { component, monthly, before, delta: before === undefined ? undefined : monthly - before },
        configPath: sources.componentPath(component),
      };
    });
  }
  if (select.config === 'app') {
    return [{ id: sources.config.name, value: { ...sources.config, environment: sources.environment, preview: sources.preview }, configPath: '' }];
  }
  if (select.config === 'services') {
    return Object.entries(sources.config.services ?? {}).map(([name, service]) => {
      const value: Record<string, unknown> = { name, ...service };
      if ('instances' in service || service.type === 'web' || service.type === 'worker') {
        const range = instanceRange('instances' in service ? service.instances : undefined);
        value.instancesMin = range.min;
        value.instancesMax = range.max;
      }
      if (service.type !== 'function' && service.type !== 'static') value.cpu = service.cpu ?? defaultCpu;
      if ('memory' in service && service.memory) value.memoryMiB = sizeToMiB(service.memory);
      else if (service.type !== 'static' && service.type !== 'function') value.memoryMiB = sizeToMiB(defaultMemory);
      return { id: `services.${name}`, value, configPath: `services.${name}` };
    });
  }
  if (select.config === 'resources') {
    return Object.entries(sources.config.resources ?? {}).map(([name, resource]) => {
      const value: Record<string, unknown> = { name, ...resource };
      if ('storage' in resource && resource.storage) value.storageGiB = sizeToGiB(resource.storage);
      return { id: `resources.${name}`, value, configPath: `resources.${name}` };
    });
  }
  throw new Error('rule selects nothing');
}
