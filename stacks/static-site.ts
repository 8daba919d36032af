/**
 * `type: static` → a private S3 bucket served by CloudFront through Origin Access Control (the
 * bucket stays private; only this distribution may read it). With `domains:` the distribution
 * answers on them with an ACM certificate looked up in us-east-1, where CloudFront requires it.
 */
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { StaticService } from '../src/config/schema.ts';
import type { AppContext, ComponentRef } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { PrivateBucket } from './bucket.ts';
import { awsName } from './naming.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { CloudfrontDistribution } = aws<typeof import('@cdktf/provider-aws/lib/cloudfront-distribution/index.js')>('cloudfront-distribution');
type CloudfrontDistribution = InstanceType<typeof CloudfrontDistribution>;
const { CloudfrontOriginAccessControl } = aws<typeof import('@cdktf/provider-aws/lib/cloudfront-origin-access-control/index.js')>('cloudfront-origin-access-control');
const { DataAwsAcmCertificate } = aws<typeof import('@cdktf/provider-aws/lib/data-aws-acm-certificate/index.js')>('data-aws-acm-certificate');

/** AWS's managed "CachingOptimized" cache policy. */
const cachingOptimizedPolicyId = '658327ea-f89d-4fab-a63d-7e88639e58f6';

export class StaticSite extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly storage: PrivateBucket;
  readonly ref: ComponentRef;

  /** `usEast1` is the provider for the certificate lookup; the caller creates it only when domains are set. */
  constructor(scope: Construct, name: string, config: StaticService, ctx: AppContext, usEast1?: AwsProvider) {
    super(scope, name);
    const tags = componentTags(name);
    const originId = 'site';
    const bucketName = `${awsName([ctx.app, ctx.environment, name], 63 - 13)}-${ctx.platform.accountId}`;
    const oac = new CloudfrontOriginAccessControl(this, 'origin-access-control', {
      name: awsName([ctx.app, ctx.environment, name], 64),
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    this.storage = new PrivateBucket(this, 'storage', { component: name, bucketName, versioning: false });
    const bucket = this.storage.bucket;

    const domains = config.domains ?? [];
    const certificate =
      domains.length > 0
        ? new DataAwsAcmCertificate(this, 'certificate', { domain: domains[0], statuses: ['ISSUED'], mostRecent: true, provider: usEast1 })
        : undefined;

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: `Slipway ${ctx.app}/${ctx.environment}: ${name}`,
      aliases: domains.length > 0 ? domains : undefined,
      defaultRootObject: 'index.html',
      httpVersion: 'http2and3',
      priceClass: 'PriceClass_100',
      origin: [{ originId, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        compress: true,
        cachePolicyId: cachingOptimizedPolicyId,
      },
      customErrorResponse: config.spa
        ? [403, 404].map((errorCode) => ({ errorCode, responseCode: 200, responsePagePath: '/index.html', errorCachingMinTtl: 0 }))
        : undefined,
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: certificate
        ? { acmCertificateArn: certificate.arn, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' }
        : { cloudfrontDefaultCertificate: true },
      tags,
    });
    this.storage.allowReadFrom({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['s3:GetObject'],
      Resource: [`${bucket.arn}/*`],
      Condition: { StringEquals: { 'AWS:SourceArn': this.distribution.arn } },
    });
    this.ref = {
      name,
      type: 'static',
      outputs: { url: { kind: 'value', value: domains.length > 0 ? `https://${domains[0]}` : `https://${this.distribution.domainName}` } },
    };
    ctx.components.set(name, this.ref);
  }
}
