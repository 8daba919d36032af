/**
 * Application Auto Scaling for an ECS service: the scalable target (instances min..max), one
 * target-tracking policy per `autoscaling:` metric, and one scheduled action per `schedule:` floor.
 */
import type { Construct } from 'constructs';
import type { AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import type { ScheduleFloor } from '../src/config/schema.ts';
import type { AppContext } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { awsName, cronToAws } from './naming.ts';
import { aws } from './cdk.ts';

const { AppautoscalingPolicy } = aws<typeof import('@cdktf/provider-aws/lib/appautoscaling-policy/index.js')>('appautoscaling-policy');
const { AppautoscalingScheduledAction } = aws<typeof import('@cdktf/provider-aws/lib/appautoscaling-scheduled-action/index.js')>('appautoscaling-scheduled-action');
const { AppautoscalingTarget } = aws<typeof import('@cdktf/provider-aws/lib/appautoscaling-target/index.js')>('appautoscaling-target');
type AppautoscalingTarget = InstanceType<typeof AppautoscalingTarget>;

/** Scale in slowly (5 min) and out quickly (1 min): over-provisioning briefly is cheaper than an outage. */
export const scaleInCooldownSeconds = 300;
export const scaleOutCooldownSeconds = 60;
/** A `{ min, max }` range with no `autoscaling:` metric still has to scale on something. */
export const defaultCpuTarget = 70;

export type TrackingPolicy = { name: string; config: AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration };

export function addScaling(
  scope: Construct,
  props: {
    component: string;
    ctx: AppContext;
    clusterName: string;
    serviceName: string;
    range: { min: number; max: number };
    policies: TrackingPolicy[];
    schedule?: ScheduleFloor[];
  },
): AppautoscalingTarget | undefined {
  const { component, ctx, range } = props;
  const schedule = props.schedule ?? [];
  if (range.max <= range.min && schedule.length === 0) return undefined;
  const target = new AppautoscalingTarget(scope, 'scaling-target', {
    serviceNamespace: 'ecs',
    resourceId: `service/${props.clusterName}/${props.serviceName}`,
    scalableDimension: 'ecs:service:DesiredCount',
    minCapacity: range.min,
    maxCapacity: range.max,
    tags: componentTags(component),
  });
  if (range.max > range.min) {
    for (const policy of props.policies) {
      new AppautoscalingPolicy(scope, `scaling-${policy.name}`, {
        name: awsName([ctx.app, ctx.environment, component, policy.name], 255),
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          scaleInCooldown: scaleInCooldownSeconds,
          scaleOutCooldown: scaleOutCooldownSeconds,
          ...policy.config,
        },
      });
    }
  }
  schedule.forEach((floor, index) => {
    const min = floor.min ?? range.min;
    new AppautoscalingScheduledAction(scope, `schedule-${index}`, {
      name: awsName([ctx.app, ctx.environment, component, `schedule-${index}`], 255),
      serviceNamespace: target.serviceNamespace,
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
      schedule: cronToAws(floor.cron),
      timezone: 'Etc/UTC',
      // A floor above the configured max would be refused by AWS, so the max rises with it.
      scalableTargetAction: { minCapacity: String(min), maxCapacity: String(Math.max(floor.max ?? range.max, min)) },
    });
  });
  return target;
}

/** Target tracking on the service's average CPU or memory utilisation. */
export function utilisationPolicy(metric: 'cpu' | 'memory', target: number): TrackingPolicy {
  return {
    name: metric,
    config: {
      targetValue: target,
      predefinedMetricSpecification: {
        predefinedMetricType: metric === 'cpu' ? 'ECSServiceAverageCPUUtilization' : 'ECSServiceAverageMemoryUtilization',
      },
    },
  };
}
