/**
 * `type: postgres` → RDS for PostgreSQL in the platform's private subnets. The master password is
 * generated and kept by RDS in Secrets Manager (`manage_master_user_password`), so no password
 * ever appears in paas.yaml, in the Terraform JSON or in Terraform state; services get it through
 * `{ from: db.password }` as an ECS secret reference.
 */
import type { PostgresResource } from '../src/config/schema.ts';
import { sizeToGiB } from '../src/config/units.ts';
import type { AppContext, ComponentRef } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { awsName } from './naming.ts';
import { NetworkGuard } from './network-guard.ts';
import { postgresInstanceClass } from './sizes.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { DbInstance } = aws<typeof import('@cdktf/provider-aws/lib/db-instance/index.js')>('db-instance');
type DbInstance = InstanceType<typeof DbInstance>;
const { DbSubnetGroup } = aws<typeof import('@cdktf/provider-aws/lib/db-subnet-group/index.js')>('db-subnet-group');

export const postgresPort = 5432;
export const postgresUser = 'slipway';

export class Postgres extends Construct {
  readonly instance: DbInstance;
  readonly guard: NetworkGuard;
  readonly ref: ComponentRef;

  constructor(scope: Construct, name: string, resource: PostgresResource, ctx: AppContext) {
    super(scope, name);
    const tags = componentTags(name);
    const identifier = awsName([ctx.app, ctx.environment, name], 63);
    const subnetGroup = new DbSubnetGroup(this, 'subnet-group', { name: identifier, subnetIds: ctx.platform.privateSubnetIds, tags });
    this.guard = new NetworkGuard(this, 'network', { component: name, port: postgresPort, egress: false, ctx });
    const databaseName = ctx.app.replace(/[^a-z0-9]/g, '_');
    const deletionProtection = resource.deletionProtection ?? ctx.production;
    this.instance = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      engineVersion: resource.version,
      instanceClass: postgresInstanceClass[resource.size],
      allocatedStorage: sizeToGiB(resource.storage),
      storageType: 'gp3',
      storageEncrypted: true,
      dbName: databaseName,
      username: postgresUser,
      manageMasterUserPassword: true,
      multiAz: resource.highAvailability,
      backupRetentionPeriod: resource.backupDays,
      deletionProtection,
      // Outside production a final snapshot only gets in the way of tearing a preview down.
      skipFinalSnapshot: !ctx.production,
      finalSnapshotIdentifier: ctx.production ? `${identifier.slice(0, 63 - 6).replace(/-+$/, '')}-final` : undefined,
      copyTagsToSnapshot: true,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.guard.id],
      port: postgresPort,
      tags,
    });
    const secretArn = this.instance.masterUserSecret.get(0).secretArn;
    const host = this.instance.address;
    this.ref = {
      name,
      type: 'postgres',
      securityGroupId: this.guard.id,
      arn: this.instance.arn,
      outputs: {
        // No password in the URL: it comes as PGPASSWORD (see env.ts), which libpq and node-postgres read.
        url: { kind: 'value', value: `postgresql://${postgresUser}@${host}:${postgresPort}/${databaseName}?sslmode=require` },
        host: { kind: 'value', value: host },
        port: { kind: 'value', value: String(postgresPort) },
        name: { kind: 'value', value: databaseName },
        username: { kind: 'value', value: postgresUser },
        password: {
          kind: 'secret',
          // ECS reads one JSON key of a Secrets Manager secret with `<arn>:<key>::`.
          valueFrom: `${secretArn}:password::`,
          read: { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] },
        },
      },
    };
    ctx.components.set(name, this.ref);
  }
}
