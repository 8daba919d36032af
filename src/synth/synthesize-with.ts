/**
 * The synthesis core: config + environment → Terraform JSON, in memory, given the constructs of
 * the kinds the config uses. An `AppStack` (a cdktf `TerraformStack`) is built under a plain
 * `constructs` root and turned into its document by `stackToTerraform` (a faster `toTerraform()`):
 * a cdktf `App` would write to disk, which a Worker cannot. The document is key-sorted (same input
 * → same bytes) and checked for dangling references before it is returned.
 */
import type { ResolvedConfig } from '../config/schema.ts';
import type { AppStackOptions } from '../../stacks/app-stack.ts';
import { AppStack } from '../../stacks/app-stack.ts';
import type { Kinds } from '../../stacks/kinds.ts';
import { finishDocument } from './finish-document.ts';
import { isolated } from './isolated.ts';
import { stackToTerraform } from './stack-to-terraform.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { constructs } from '../../stacks/cdk.ts';

const { RootConstruct } = constructs;

export type SynthOptions = AppStackOptions;

export function synthesizeWith(config: ResolvedConfig, kinds: Partial<Kinds>, options: SynthOptions = {}): TerraformJson {
  return isolated(() => {
    const stack = new AppStack(new RootConstruct(), config, kinds, options);
    return finishDocument(stackToTerraform(stack), `${config.name}/${config.environment}`);
  });
}
