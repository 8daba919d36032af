/**
 * A security group for one component, with no inline rules (inline rules and separate rule
 * resources fight each other in Terraform). Ingress is added per source security group; egress is
 * open only when the component needs to call out (containers pulling images, calling APIs).
 */
import type { AppContext } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { awsName } from './naming.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { SecurityGroup } = aws<typeof import('@cdktf/provider-aws/lib/security-group/index.js')>('security-group');
type SecurityGroup = InstanceType<typeof SecurityGroup>;
const { VpcSecurityGroupEgressRule } = aws<typeof import('@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js')>('vpc-security-group-egress-rule');
const { VpcSecurityGroupIngressRule } = aws<typeof import('@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js')>('vpc-security-group-ingress-rule');

export class NetworkGuard extends Construct {
  readonly securityGroup: SecurityGroup;
  private readonly component: string;
  private readonly port: number;

  constructor(scope: Construct, id: string, props: { component: string; port: number; egress: boolean; ctx: AppContext }) {
    super(scope, id);
    const { ctx } = props;
    this.component = props.component;
    this.port = props.port;
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: awsName([ctx.app, ctx.environment, props.component], 255),
      description: `Slipway ${ctx.app}/${ctx.environment}: ${props.component}`,
      vpcId: ctx.platform.vpc.id,
      tags: componentTags(props.component),
    });
    if (props.egress) {
      new VpcSecurityGroupEgressRule(this, 'egress', {
        securityGroupId: this.securityGroup.id,
        ipProtocol: '-1',
        cidrIpv4: '0.0.0.0/0',
        description: 'outbound: image pulls, AWS APIs, third parties',
        tags: componentTags(props.component),
      });
    }
  }

  get id(): string {
    return this.securityGroup.id;
  }

  /** Let `source` (a security group id) reach this component's port. */
  allowFrom(source: string, label: string): void {
    new VpcSecurityGroupIngressRule(this, `ingress-${label}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: source,
      ipProtocol: 'tcp',
      fromPort: this.port,
      toPort: this.port,
      description: `from ${label}`,
      tags: componentTags(this.component),
    });
  }
}
