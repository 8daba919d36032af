/**
 * How an app stack finds the shared platform (network, cluster, load balancer) without holding
 * its state: data sources looked up by the `slipway:platform` tag (the ECS cluster by its name,
 * which the platform stack sets to `slipway-<platform>`, because `aws_ecs_cluster` data sources
 * cannot filter on tags). Each lookup is created the first time a construct asks for it, so an
 * app of only static sites and buckets needs no platform at all.
 */
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { DataAwsCallerIdentity } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-caller-identity/index.js')>('data-aws-caller-identity');
const { DataAwsEcsCluster } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-ecs-cluster/index.js')>('data-aws-ecs-cluster');
type DataAwsEcsCluster = InstanceType<typeof DataAwsEcsCluster>;
const { DataAwsLb } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-lb/index.js')>('data-aws-lb');
type DataAwsLb = InstanceType<typeof DataAwsLb>;
const { DataAwsLbListener } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-lb-listener/index.js')>('data-aws-lb-listener');
type DataAwsLbListener = InstanceType<typeof DataAwsLbListener>;
const { DataAwsSecurityGroup } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-security-group/index.js')>('data-aws-security-group');
type DataAwsSecurityGroup = InstanceType<typeof DataAwsSecurityGroup>;
const { DataAwsSubnets } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-subnets/index.js')>('data-aws-subnets');
const { DataAwsVpc } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-vpc/index.js')>('data-aws-vpc');
type DataAwsVpc = InstanceType<typeof DataAwsVpc>;

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
