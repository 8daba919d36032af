/**
 * `type: bucket` → a private, encrypted S3 bucket: every public access block on, objects owned by
 * the bucket owner (ACLs off), server-side encryption, TLS-only access, optional versioning and
 * expiry. Public access is a policy question, never a paas.yaml switch.
 */
import type { ITerraformDependable } from 'cdktf';
import type { BucketResource } from '../src/config/schema.ts';
import { durationToSeconds } from '../src/config/units.ts';
import type { AppContext, ComponentRef, PolicyStatement } from './app-context.ts';
import { componentTags, policyDocument } from './app-context.ts';
import { awsName } from './naming.ts';
import { aws, cdktf, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { S3Bucket } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket/index.js')>('s3-bucket');
type S3Bucket = InstanceType<typeof S3Bucket>;
const { S3BucketLifecycleConfiguration } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js')>('s3-bucket-lifecycle-configuration');
const { S3BucketNotification } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-notification/index.js')>('s3-bucket-notification');
const { S3BucketOwnershipControls } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js')>('s3-bucket-ownership-controls');
const { S3BucketPolicy } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-policy/index.js')>('s3-bucket-policy');
const { S3BucketPublicAccessBlock } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js')>('s3-bucket-public-access-block');
type S3BucketPublicAccessBlock = InstanceType<typeof S3BucketPublicAccessBlock>;
const { S3BucketServerSideEncryptionConfigurationA } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js')>('s3-bucket-server-side-encryption-configuration');
const { S3BucketVersioningA } = aws<typeof import('@cdktf/provider-aws/lib/s3-bucket-versioning/index.js')>('s3-bucket-versioning');
const { Lazy } = cdktf;

/** Incomplete multipart uploads are billed and invisible; a week is long enough to finish one. */
const abortIncompleteUploadDays = 7;

/**
 * A private bucket with its guard rails. Shared by `type: bucket` and static sites; `allowReadFrom`
 * adds statements (CloudFront's read access) to the same bucket policy, because a bucket has one.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  private readonly statements: PolicyStatement[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: { component: string; bucketName: string; versioning: boolean; expireAfterDays?: number },
  ) {
    super(scope, id);
    const tags = componentTags(props.component);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, tags });
    const bucket = this.bucket.id;
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership-controls', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    if (props.versioning) {
      new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    }
    const rules: NonNullable<ConstructorParameters<typeof S3BucketLifecycleConfiguration>[2]['rule']> = [
      { id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortIncompleteUploadDays }] },
    ];
    if (props.expireAfterDays !== undefined) {
      rules.push({ id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: props.expireAfterDays }] });
    }
    new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket, rule: rules });
    const tlsOnly: PolicyStatement = {
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    new S3BucketPolicy(this, 'policy', {
      bucket,
      // Written at synthesis, after every construct has had its say (the CloudFront distribution
      // that may read this bucket is created after the bucket itself).
      policy: Lazy.stringValue({ produce: () => policyDocument([tlsOnly, ...this.statements]) }),
      dependsOn: [this.publicAccessBlock],
    });
  }

  allowReadFrom(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}

export class Bucket extends Construct {
  readonly private: PrivateBucket;
  readonly ref: ComponentRef;
  private readonly lambdaTargets: { arn: string; permission: ITerraformDependable }[] = [];

  constructor(scope: Construct, name: string, resource: BucketResource, ctx: AppContext) {
    super(scope, name);
    const expireAfterDays = resource.expireAfter === undefined ? undefined : Math.max(1, Math.ceil(durationToSeconds(resource.expireAfter) / 86400));
    // Bucket names are global: the account id keeps two accounts deploying the same app apart.
    const bucketName = `${awsName([ctx.app, ctx.environment, name], 63 - 13)}-${ctx.platform.accountId}`;
    this.private = new PrivateBucket(this, 'storage', { component: name, bucketName, versioning: resource.versioning, expireAfterDays });
    const { bucket } = this.private;
    this.ref = {
      name,
      type: 'bucket',
      arn: bucket.arn,
      outputs: { name: { kind: 'value', value: bucket.bucket }, arn: { kind: 'value', value: bucket.arn } },
      access: [
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket.arn] },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`${bucket.arn}/*`] },
      ],
    };
    ctx.components.set(name, this.ref);
  }

  /** A function to call on every new object; all of them go into the bucket's one notification. */
  notifyFunction(arn: string, permission: ITerraformDependable): void {
    this.lambdaTargets.push({ arn, permission });
  }

  /** S3 keeps one notification configuration per bucket, so it is written once all functions are known. */
  finish(): void {
    if (this.lambdaTargets.length === 0) return;
    new S3BucketNotification(this, 'notification', {
      bucket: this.private.bucket.id,
      lambdaFunction: this.lambdaTargets.map((target) => ({ lambdaFunctionArn: target.arn, events: ['s3:ObjectCreated:*'] })),
      dependsOn: this.lambdaTargets.map((target) => target.permission),
    });
  }
}
