/**
 * Terraform state lives in the user's S3 bucket, one state per app and environment, never in
 * Slipway's store. The bucket name must be static (a backend block cannot use expressions), so it
 * is an option with a fixed default rather than derived from the account.
 */
import type { Construct } from 'constructs';
import { cdktf } from './cdk.ts';

const { S3Backend } = cdktf;
type S3Backend = InstanceType<typeof S3Backend>;

export const defaultStateBucket = 'slipway-terraform-state';

/** Terraform state key of an app environment. */
export function stateKey(app: string, environment: string): string {
  return `${app}/${environment}/terraform.tfstate`;
}

export function addStateBackend(scope: Construct, props: { bucket?: string; key: string; region: string }): S3Backend {
  const backend = new S3Backend(scope, { bucket: props.bucket ?? defaultStateBucket, key: props.key, region: props.region, encrypt: true });
  // S3-native locking (Terraform ≥ 1.10), no DynamoDB table to manage; cdktf 0.21's types predate it.
  backend.addOverride('use_lockfile', true);
  return backend;
}
