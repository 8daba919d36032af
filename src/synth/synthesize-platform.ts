/**
 * The shared platform stack as Terraform JSON (network, cluster, load balancer), synthesized like
 * an app stack. A file of its own so that synthesizing apps never loads the VPC resources.
 */
import type { PlatformOptions } from '../../stacks/platform.ts';
import { PlatformStack } from '../../stacks/platform.ts';
import { stackToTerraform } from './stack-to-terraform.ts';
import { finishDocument } from './finish-document.ts';
import { isolated } from './isolated.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { constructs } from '../../stacks/cdk.ts';

const { RootConstruct } = constructs;

export function synthesizePlatform(options: PlatformOptions = {}): TerraformJson {
  return isolated(() => {
    const stack = new PlatformStack(new RootConstruct(), options);
    return finishDocument(stackToTerraform(stack), `platform ${options.name ?? 'main'}`);
  });
}
