/**
 * `type: web` → an ECS Fargate service behind the platform's shared HTTPS listener: a target
 * group, host-header listener rules for its domains, a security group that only the load balancer
 * can reach on the container port, and auto scaling (target tracking + scheduled floors).
 */
import type { WebService as WebServiceConfig } from '../src/config/schema.ts';
import { durationToSeconds, instanceRange } from '../src/config/units.ts';
import type { AppContext } from './app-context.ts';
import { componentTags } from './app-context.ts';
import type { EcsTask } from './ecs-task.ts';
import { addEcsTask } from './ecs-task.ts';
import { awsName, literal } from './naming.ts';
import type { TrackingPolicy } from './scaling.ts';
import { addScaling, defaultCpuTarget, utilisationPolicy } from './scaling.ts';
import { hostsPerRule, listenerPriority, webHosts } from './web-hosts.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { EcsService } = aws<typeof import('@cdktf/provider-aws/lib/ecs-service/index.js')>('ecs-service');
type EcsService = InstanceType<typeof EcsService>;
const { LbListenerRule } = aws<typeof import('@cdktf/provider-aws/lib/lb-listener-rule/index.js')>('lb-listener-rule');
type LbListenerRule = InstanceType<typeof LbListenerRule>;
const { LbTargetGroup } = aws<typeof import('@cdktf/provider-aws/lib/lb-target-group/index.js')>('lb-target-group');
type LbTargetGroup = InstanceType<typeof LbTargetGroup>;

export class WebService extends Construct {
  readonly service: EcsService;
  readonly targetGroup: LbTargetGroup;
  readonly task: EcsTask;

  constructor(scope: Construct, name: string, config: WebServiceConfig, ctx: AppContext) {
    super(scope, name);
    const tags = componentTags(name);
    const platform = ctx.platform;
    const port = config.port;
    const health = config.health ?? { path: '/healthz', interval: '10s', timeout: '5s', grace: '30s', healthyThreshold: 3, unhealthyThreshold: 3 };
    this.task = addEcsTask(this, { component: name, service: config, ctx, port });
    this.task.guard.allowFrom(platform.loadBalancerSecurityGroup.id, 'load-balancer');

    this.targetGroup = new LbTargetGroup(this, 'target-group', {
      name: awsName([ctx.app, ctx.environment, name], 32),
      port,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: platform.vpc.id,
      deregistrationDelay: '30',
      healthCheck: {
        path: literal(health.path),
        interval: durationToSeconds(health.interval),
        timeout: durationToSeconds(health.timeout),
        healthyThreshold: health.healthyThreshold,
        unhealthyThreshold: health.unhealthyThreshold,
        matcher: '200-399',
      },
      tags,
    });

    const hosts = webHosts(name, config, ctx);
    const rules: LbListenerRule[] = [];
    for (let i = 0; i < hosts.length; i += hostsPerRule) {
      const index = i / hostsPerRule;
      rules.push(
        new LbListenerRule(this, `listener-rule-${index}`, {
          listenerArn: platform.httpsListener.arn,
          priority: listenerPriority(ctx, name, index),
          action: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
          condition: [{ hostHeader: { values: hosts.slice(i, i + hostsPerRule) } }],
          tags,
        }),
      );
    }

    const range = instanceRange(config.instances);
    const scaled = range.max > range.min || (config.schedule?.length ?? 0) > 0;
    const clusterName = platform.cluster.clusterName;
    const serviceName = awsName([ctx.app, ctx.environment, name], 255);
    this.service = new EcsService(this, 'service', {
      name: serviceName,
      cluster: platform.cluster.arn,
      taskDefinition: this.task.taskDefinition.arn,
      desiredCount: range.min,
      launchType: 'FARGATE',
      networkConfiguration: { subnets: platform.privateSubnetIds, securityGroups: [this.task.guard.id], assignPublicIp: false },
      loadBalancer: [{ targetGroupArn: this.targetGroup.arn, containerName: name, containerPort: port }],
      healthCheckGracePeriodSeconds: durationToSeconds(health.grace),
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      // Auto scaling owns the running count once it is on; Terraform must not reset it on every apply.
      lifecycle: scaled ? { ignoreChanges: ['desired_count'] } : undefined,
      // ECS refuses a target group that no listener rule uses yet.
      dependsOn: rules,
      tags,
    });

    const policies: TrackingPolicy[] = [];
    const autoscaling = config.autoscaling ?? {};
    if (autoscaling.cpu !== undefined) policies.push(utilisationPolicy('cpu', autoscaling.cpu));
    if (autoscaling.memory !== undefined) policies.push(utilisationPolicy('memory', autoscaling.memory));
    if (autoscaling.requestsPerInstance !== undefined) {
      policies.push({
        name: 'requests',
        config: {
          targetValue: autoscaling.requestsPerInstance,
          predefinedMetricSpecification: {
            predefinedMetricType: 'ALBRequestCountPerTarget',
            // app/<lb-name>/<id>/targetgroup/<tg-name>/<id>: the ARN suffixes CloudWatch uses.
            resourceLabel: `${platform.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`,
          },
        },
      });
    }
    if (policies.length === 0) policies.push(utilisationPolicy('cpu', defaultCpuTarget));
    addScaling(this, { component: name, ctx, clusterName, serviceName: this.service.name, range, policies, schedule: config.schedule });
  }
}
