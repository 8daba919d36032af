/**
 * `type: worker` → an ECS Fargate service with no load balancer. With a `queue:` it may consume
 * that queue and scales on its backlog per running task (ApproximateNumberOfMessagesVisible ÷
 * RunningTaskCount, target tracking with metric math as AWS recommends for SQS workers):
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
 */
import type { WorkerService as WorkerServiceConfig } from '../src/config/schema.ts';
import { instanceRange } from '../src/config/units.ts';
import type { AppContext, PolicyStatement } from './app-context.ts';
import { componentTags } from './app-context.ts';
import type { EcsTask } from './ecs-task.ts';
import { addEcsTask } from './ecs-task.ts';
import { SynthError } from '../src/synth/synth-error.ts';
import { awsName } from './naming.ts';
import type { Queue } from './queue.ts';
import type { TrackingPolicy } from './scaling.ts';
import { addScaling, defaultCpuTarget, utilisationPolicy } from './scaling.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { EcsService } = aws<typeof import('@cdktf/provider-aws/lib/ecs-service/index.js')>('ecs-service');
type EcsService = InstanceType<typeof EcsService>;

/** Without `backlogPerInstance`, a queue worker aims at this many waiting messages per task. */
export const defaultBacklogPerInstance = 100;

export function backlogPolicy(queueName: string, clusterName: string, serviceName: string, target: number): TrackingPolicy {
  return {
    name: 'backlog',
    config: {
      targetValue: target,
      customizedMetricSpecification: {
        metrics: [
          {
            id: 'visible',
            returnData: false,
            metricStat: {
              stat: 'Sum',
              metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: queueName }] },
            },
          },
          {
            id: 'tasks',
            returnData: false,
            metricStat: {
              stat: 'Average',
              metric: {
                namespace: 'ECS/ContainerInsights',
                metricName: 'RunningTaskCount',
                dimensions: [
                  { name: 'ClusterName', value: clusterName },
                  { name: 'ServiceName', value: serviceName },
                ],
              },
            },
          },
          // With no task running, the whole backlog counts as one task's: that is what scales from zero.
          { id: 'backlog', label: 'Backlog per task', expression: 'IF(tasks > 0, visible / tasks, visible)', returnData: true },
        ],
      },
    },
  };
}

export class WorkerService extends Construct {
  readonly service: EcsService;
  readonly task: EcsTask;

  constructor(scope: Construct, name: string, config: WorkerServiceConfig, ctx: AppContext, queues: ReadonlyMap<string, Queue>) {
    super(scope, name);
    const tags = componentTags(name);
    const platform = ctx.platform;
    const queue = config.queue === undefined ? undefined : queues.get(config.queue);
    if (config.queue !== undefined && !queue) throw new SynthError(`worker ${name}: queue ${config.queue} is not a queue resource of this app`);
    const taskStatements: PolicyStatement[] = queue ? [queue.consumeStatement()] : [];
    // The queue it consumes is always at hand, whatever the env names it uses for it.
    const extraEnvironment = queue ? [{ name: 'SLIPWAY_QUEUE_URL', value: queue.queue.url }] : [];
    this.task = addEcsTask(this, { component: name, service: config, ctx, taskStatements, extraEnvironment });

    const range = instanceRange(config.instances);
    const scaled = range.max > range.min || (config.schedule?.length ?? 0) > 0;
    const clusterName = platform.cluster.clusterName;
    this.service = new EcsService(this, 'service', {
      name: awsName([ctx.app, ctx.environment, name], 255),
      cluster: platform.cluster.arn,
      taskDefinition: this.task.taskDefinition.arn,
      desiredCount: range.min,
      launchType: 'FARGATE',
      networkConfiguration: { subnets: platform.privateSubnetIds, securityGroups: [this.task.guard.id], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      lifecycle: scaled ? { ignoreChanges: ['desired_count'] } : undefined,
      tags,
    });

    const autoscaling = config.autoscaling ?? {};
    const policies: TrackingPolicy[] = [];
    if (queue) {
      const target = autoscaling.backlogPerInstance ?? defaultBacklogPerInstance;
      policies.push(backlogPolicy(queue.queue.name, clusterName, this.service.name, target));
    }
    if (autoscaling.cpu !== undefined) policies.push(utilisationPolicy('cpu', autoscaling.cpu));
    if (autoscaling.memory !== undefined) policies.push(utilisationPolicy('memory', autoscaling.memory));
    if (policies.length === 0) policies.push(utilisationPolicy('cpu', defaultCpuTarget));
    addScaling(this, { component: name, ctx, clusterName, serviceName: this.service.name, range, policies, schedule: config.schedule });
  }
}
