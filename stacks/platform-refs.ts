/**
 * How an app stack finds the shared platform (network, cluster, load balancer) without holding
 * its state: data sources looked up by the `slipway:platform` tag (the ECS cluster by its name,
 * which the platform stack sets to `slipway-<platform>`, because `aws_ecs_cluster` data sources
 * cannot filter on tags). Each lookup is created the first time a construct asks for it, so an
 * app of only static sites and buckets needs no platform at all.
 */
import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsEcsCluster } from '@cdktf/provider-aws/lib/data-aws-ecs-cluster/index.js';
import { DataAwsLb } from '@cdktf/provider-aws/lib/data-aws-lb/index.js';
import { DataAwsLbListener } from '@cdktf/provider-aws/lib/data-aws-lb-listener/index.js';
import { DataAwsSecurityGroup } from '@cdktf/provider-aws/lib/data-aws-security-group/index.js';
import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets/index.js';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc/index.js';

export const platformTag = 'slipway:platform';
export const tierTag = 'slipway:tier';
export const roleTag = 'slipway:role';
export const platformClusterName = (platform: string): string => `slipway-${platform}`;

export class PlatformRefs extends Construct {
  readonly platform: string;
  private cache = new Map<string, unknown>();

  constructor(scope: Construct, id: string, platform: string) {
    super(scope, id);
    this.platform = platform;
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  get vpc(): DataAwsVpc {
    return this.once('vpc', () => new DataAwsVpc(this, 'vpc', { tags: { [platformTag]: this.platform } }));
  }

  get privateSubnetIds(): string[] {
    return this.once('private', () =>
      new DataAwsSubnets(this, 'private-subnets', {
        filter: [{ name: 'vpc-id', values: [this.vpc.id] }],
        tags: { [platformTag]: this.platform, [tierTag]: 'private' },
      }),
    ).ids;
  }

  get cluster(): DataAwsEcsCluster {
    return this.once('cluster', () => new DataAwsEcsCluster(this, 'cluster', { clusterName: platformClusterName(this.platform) }));
  }

  get loadBalancer(): DataAwsLb {
    return this.once('lb', () => new DataAwsLb(this, 'load-balancer', { tags: { [platformTag]: this.platform } }));
  }

  get httpsListener(): DataAwsLbListener {
    return this.once('listener', () => new DataAwsLbListener(this, 'https-listener', { loadBalancerArn: this.loadBalancer.arn, port: 443 }));
  }

  get loadBalancerSecurityGroup(): DataAwsSecurityGroup {
    return this.once('lb-sg', () =>
      new DataAwsSecurityGroup(this, 'load-balancer-sg', {
        vpcId: this.vpc.id,
        tags: { [platformTag]: this.platform, [roleTag]: 'load-balancer' },
      }),
    );
  }

  get accountId(): string {
    return this.once('caller', () => new DataAwsCallerIdentity(this, 'caller')).accountId;
  }
}
