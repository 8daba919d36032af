/**
 * The shared platform every app stack runs on: a VPC with public and private subnets in two
 * availability zones, one NAT gateway, an ECS cluster (Container Insights on, which worker
 * backlog scaling reads), and an internet-facing load balancer with an HTTPS listener and an
 * HTTP → HTTPS redirect. App stacks find it by the `slipway:platform` tag (see platform-refs.ts).
 */
import type { Construct } from 'constructs';
import { platformClusterName, platformTag, roleTag, tierTag } from './platform-refs.ts';
import { addStateBackend } from './state-backend.ts';
import { aws, cdktf } from './cdk.ts';

const { Fn, TerraformStack, TerraformVariable } = cdktf;
const { DataAwsAvailabilityZones } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-availability-zones/index.js')>('data-aws-availability-zones');
const { EcsCluster } = aws<typeof import('@cdktf/provider-aws/lib/ecs-cluster/index.js')>('ecs-cluster');
const { Eip } = aws<typeof import('@cdktf/provider-aws/lib/eip/index.js')>('eip');
const { InternetGateway } = aws<typeof import('@cdktf/provider-aws/lib/internet-gateway/index.js')>('internet-gateway');
const { Lb } = aws<typeof import('@cdktf/provider-aws/lib/lb/index.js')>('lb');
const { LbListener } = aws<typeof import('@cdktf/provider-aws/lib/lb-listener/index.js')>('lb-listener');
const { NatGateway } = aws<typeof import('@cdktf/provider-aws/lib/nat-gateway/index.js')>('nat-gateway');
const { AwsProvider } = aws<typeof import('@cdktf/provider-aws/lib/provider/index.js')>('provider');
const { RouteTable } = aws<typeof import('@cdktf/provider-aws/lib/route-table/index.js')>('route-table');
const { RouteTableAssociation } = aws<typeof import('@cdktf/provider-aws/lib/route-table-association/index.js')>('route-table-association');
const { SecurityGroup } = aws<typeof import('@cdktf/provider-aws/lib/security-group/index.js')>('security-group');
const { Subnet } = aws<typeof import('@cdktf/provider-aws/lib/subnet/index.js')>('subnet');
type Subnet = InstanceType<typeof Subnet>;
const { Vpc } = aws<typeof import('@cdktf/provider-aws/lib/vpc/index.js')>('vpc');
const { VpcSecurityGroupEgressRule } = aws<typeof import('@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js')>('vpc-security-group-egress-rule');
const { VpcSecurityGroupIngressRule } = aws<typeof import('@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js')>('vpc-security-group-ingress-rule');

export type PlatformOptions = {
  /** The platform's name (its `slipway:platform` tag). Default `main`. */
  name?: string;
  region?: string;
  /** ACM certificate for the HTTPS listener; without it the stack asks for `var.certificate_arn`. */
  certificateArn?: string;
  stateBucket?: string;
  stateRegion?: string;
  /** Default `10.0.0.0/16`; subnets are /20s carved from it. */
  cidr?: string;
};

export const platformZones = 2;

export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, options: PlatformOptions = {}) {
    const name = options.name ?? 'main';
    super(scope, `platform-${name}`);
    const region = options.region ?? 'us-east-1';
    const tags = { [platformTag]: name };
    new AwsProvider(this, 'aws', { region, defaultTags: [{ tags: { ...tags, 'slipway:component': 'platform' } }] });
    addStateBackend(this, { bucket: options.stateBucket, key: `_platform/${name}/terraform.tfstate`, region: options.stateRegion ?? region });
    const cidr = options.cidr ?? '10.0.0.0/16';
    const zones = new DataAwsAvailabilityZones(this, 'zones', { state: 'available' });
    const vpc = new Vpc(this, 'vpc', { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `slipway-${name}` } });
    const gateway = new InternetGateway(this, 'internet-gateway', { vpcId: vpc.id, tags });

    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: vpc.id, route: [{ cidrBlock: '0.0.0.0/0', gatewayId: gateway.id }], tags });
    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    for (let zone = 0; zone < platformZones; zone++) {
      const availabilityZone = Fn.element(zones.names, zone);
      const pub = new Subnet(this, `public-${zone}`, {
        vpcId: vpc.id,
        availabilityZone,
        cidrBlock: Fn.cidrsubnet(cidr, 4, zone),
        mapPublicIpOnLaunch: false,
        tags: { ...tags, [tierTag]: 'public', Name: `slipway-${name}-public-${zone}` },
      });
      new RouteTableAssociation(this, `public-${zone}-routes`, { subnetId: pub.id, routeTableId: publicRoutes.id });
      publicSubnets.push(pub);
      privateSubnets.push(
        new Subnet(this, `private-${zone}`, {
          vpcId: vpc.id,
          availabilityZone,
          cidrBlock: Fn.cidrsubnet(cidr, 4, 8 + zone),
          tags: { ...tags, [tierTag]: 'private', Name: `slipway-${name}-private-${zone}` },
        }),
      );
    }
    // One NAT gateway: cheaper than one per zone, at the price of egress depending on one zone.
    const natIp = new Eip(this, 'nat-ip', { domain: 'vpc', tags });
    const nat = new NatGateway(this, 'nat-gateway', { allocationId: natIp.id, subnetId: publicSubnets[0].id, tags, dependsOn: [gateway] });
    const privateRoutes = new RouteTable(this, 'private-routes', { vpcId: vpc.id, route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }], tags });
    privateSubnets.forEach((subnet, zone) => new RouteTableAssociation(this, `private-${zone}-routes`, { subnetId: subnet.id, routeTableId: privateRoutes.id }));

    new EcsCluster(this, 'cluster', { name: platformClusterName(name), setting: [{ name: 'containerInsights', value: 'enabled' }], tags });

    const lbGroup = new SecurityGroup(this, 'load-balancer-sg', {
      name: `slipway-${name}-load-balancer`,
      description: `Slipway platform ${name}: public load balancer`,
      vpcId: vpc.id,
      tags: { ...tags, [roleTag]: 'load-balancer' },
    });
    for (const port of [80, 443]) {
      new VpcSecurityGroupIngressRule(this, `load-balancer-ingress-${port}`, {
        securityGroupId: lbGroup.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
        description: port === 80 ? 'HTTP, redirected to HTTPS' : 'HTTPS',
        tags,
      });
    }
    new VpcSecurityGroupEgressRule(this, 'load-balancer-egress', {
      securityGroupId: lbGroup.id,
      ipProtocol: '-1',
      cidrIpv4: cidr,
      description: 'to services inside the VPC',
      tags,
    });
    const lb = new Lb(this, 'load-balancer', {
      name: `slipway-${name}`.slice(0, 32),
      loadBalancerType: 'application',
      internal: false,
      subnets: publicSubnets.map((subnet) => subnet.id),
      securityGroups: [lbGroup.id],
      dropInvalidHeaderFields: true,
      tags,
    });
    const certificateArn =
      options.certificateArn ??
      new TerraformVariable(this, 'certificate_arn', { type: 'string', description: 'ACM certificate ARN for the HTTPS listener' }).stringValue;
    new LbListener(this, 'https-listener', {
      loadBalancerArn: lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArn,
      defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not found' } }],
      tags,
    });
    new LbListener(this, 'http-listener', {
      loadBalancerArn: lb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      tags,
    });
  }
}
