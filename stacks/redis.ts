/** `type: redis` → an ElastiCache (Redis OSS) replication group, encrypted at rest and in transit. */
import type { RedisResource } from '../src/config/schema.ts';
import type { AppContext, ComponentRef } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { awsName } from './naming.ts';
import { NetworkGuard } from './network-guard.ts';
import { redisNodeType } from './sizes.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { ElasticacheReplicationGroup } = aws<typeof import('@cdktf/provider-aws/lib/elasticache-replication-group/index.js')>('elasticache-replication-group');
type ElasticacheReplicationGroup = InstanceType<typeof ElasticacheReplicationGroup>;
const { ElasticacheSubnetGroup } = aws<typeof import('@cdktf/provider-aws/lib/elasticache-subnet-group/index.js')>('elasticache-subnet-group');

export const redisPort = 6379;

export class Redis extends Construct {
  readonly group: ElasticacheReplicationGroup;
  readonly guard: NetworkGuard;
  readonly ref: ComponentRef;

  constructor(scope: Construct, name: string, resource: RedisResource, ctx: AppContext) {
    super(scope, name);
    const tags = componentTags(name);
    const id = awsName([ctx.app, ctx.environment, name], 40);
    const subnetGroup = new ElasticacheSubnetGroup(this, 'subnet-group', { name: id, subnetIds: ctx.platform.privateSubnetIds, tags });
    this.guard = new NetworkGuard(this, 'network', { component: name, port: redisPort, egress: false, ctx });
    const failover = resource.replicas > 0;
    this.group = new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: id,
      description: `Slipway ${ctx.app}/${ctx.environment}: ${name}`,
      engine: 'redis',
      engineVersion: resource.version,
      nodeType: redisNodeType[resource.size],
      numCacheClusters: 1 + resource.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      atRestEncryptionEnabled: 'true',
      transitEncryptionEnabled: true,
      port: redisPort,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [this.guard.id],
      snapshotRetentionLimit: ctx.production ? 1 : 0,
      autoMinorVersionUpgrade: 'true',
      tags,
    });
    const host = this.group.primaryEndpointAddress;
    this.ref = {
      name,
      type: 'redis',
      securityGroupId: this.guard.id,
      arn: this.group.arn,
      outputs: {
        url: { kind: 'value', value: `rediss://${host}:${redisPort}` },
        host: { kind: 'value', value: host },
        port: { kind: 'value', value: String(redisPort) },
      },
    };
    ctx.components.set(name, this.ref);
  }
}
