/**
 * The pure half of the recommendation history (the store half is src/store/recommendations.ts):
 * what identifies a proposal, whether a later `paas.yaml` applied it, what it did to the bill
 * (from the running tasks recorded before and after, not from the estimate), and the sentence a
 * later proposal carries about the last one.
 */
import { createHash } from 'node:crypto';
import { mean } from 'simple-statistics';
import type { PaasConfig } from '../config/schema.ts';
import { defaultCpu, defaultMemory, instanceRange, sizeToMiB } from '../config/units.ts';
import { hoursPerMonth, type FargatePrice } from './fargate-prices.ts';
import type { RecommendationChange, RecommendationSummary, Sample } from './types.ts';

/** Same service, kind and proposed value: the same recommendation, however often it is proposed. */
export function fingerprintOf(summary: Pick<RecommendationSummary, 'service' | 'kind' | 'title' | 'change'>): string {
  const what = summary.change ? JSON.stringify(summary.change) : summary.title;
  return createHash('sha256').update(`${summary.service}\n${summary.kind}\n${what}`).digest('hex').slice(0, 32);
}

type ServiceConfig = PaasConfig['services'][string];

/** True when the service in `config` has the proposed value. */
export function changeApplied(change: RecommendationChange, service: ServiceConfig | undefined): boolean {
  if (!service || (service.type !== 'web' && service.type !== 'worker' && service.type !== 'cron')) return false;
  switch (change.field) {
    case 'cpu':
      return (service.cpu ?? defaultCpu) === change.to;
    case 'memory':
      return sizeToMiB(service.memory ?? defaultMemory) === change.to;
    case 'instances': {
      if (service.type === 'cron') return false;
      const range = instanceRange(service.instances);
      return range.min === change.to.min && range.max === change.to.max;
    }
    case 'autoscaling.cpu':
      return service.type !== 'cron' && service.autoscaling?.cpu === change.to;
    case 'autoscaling.backlogPerInstance':
      return service.type === 'worker' && service.autoscaling?.backlogPerInstance === change.to;
    case 'schedule':
      return service.type !== 'cron' && JSON.stringify(normaliseFloors(service.schedule ?? [])) === JSON.stringify(normaliseFloors(change.to));
  }
}

function normaliseFloors(floors: { cron: string; min?: number; max?: number }[]) {
  return floors.map((f) => ({ cron: f.cron, min: f.min ?? null, max: f.max ?? null }));
}

/** What an accepted recommendation did: the service's cost from recorded metrics before and after. */
export type MeasuredEffect = {
  /** USD per month, from the mean running tasks and the task size in force. */
  beforeMonthly: number;
  afterMonthly: number;
  /** before − after; positive saved money. */
  saving: number;
  /** Days of samples each side. */
  beforeDays: number;
  afterDays: number;
  /** Where the task count came from: recorded `instances` samples, or the configured minimum. */
  basis: 'recorded tasks' | 'configured minimum';
};

export type CostPeriod = {
  /** Running-task samples of the period (the `instances` metric); may be empty. */
  tasks: readonly Sample[];
  /** Task size in force: vCPU and MiB. */
  cpu: number;
  memoryMiB: number;
  /** Tasks when nothing was recorded (the configured minimum). */
  fallbackTasks: number;
  days: number;
};

/** Usage-based: mean running tasks × the task's hourly price × 730 h, before and after. */
export function measureEffect(before: CostPeriod, after: CostPeriod, price: FargatePrice): MeasuredEffect {
  const recorded = before.tasks.length > 0 && after.tasks.length > 0;
  const monthly = (p: CostPeriod) => {
    const tasks = recorded ? mean(p.tasks.map((s) => s.v)) : p.fallbackTasks;
    return tasks * (p.cpu * price.vcpuHour + (p.memoryMiB / 1024) * price.gbHour) * hoursPerMonth;
  };
  const beforeMonthly = round2(monthly(before));
  const afterMonthly = round2(monthly(after));
  return { beforeMonthly, afterMonthly, saving: round2(beforeMonthly - afterMonthly), beforeDays: round2(before.days), afterDays: round2(after.days), basis: recorded ? 'recorded tasks' : 'configured minimum' };
}

/** The sentence a new proposal of the same kind carries about the last measured one. */
export function lastTimeNote(last: { kind: string; service: string; decidedAt: Date; effect: MeasuredEffect }): string {
  const { effect } = last;
  const when = last.decidedAt.toISOString().slice(0, 10);
  const verb = effect.saving >= 0 ? `saved $${effect.saving.toFixed(2)}` : `added $${(-effect.saving).toFixed(2)}`;
  return `Last time: the ${last.kind} recommendation for ${last.service} accepted on ${when} ${verb}/month ($${effect.beforeMonthly.toFixed(2)} → $${effect.afterMonthly.toFixed(2)}, measured from ${effect.basis} over ${effect.beforeDays} days before and ${effect.afterDays} after).`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
