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
import { SynthError } from './synth-error.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { constructs } from '../../stacks/cdk.ts';

const { RootConstruct } = constructs;

export type SynthOptions = AppStackOptions;

/**
 * Whatever fails while the stack is built (a construct refusing an id, a value a construct cannot
 * take) is a `SynthError` with the cause kept: callers end the app's work with a reason instead
 * of retrying a job that will throw the same way every time.
 */
export function synthesizeWith(config: ResolvedConfig, kinds: Partial<Kinds>, options: SynthOptions = {}): TerraformJson {
  const what = `${config.name}/${config.environment}`;
  try {
    return isolated(() => finishDocument(stackToTerraform(new AppStack(new RootConstruct(), config, kinds, options)), what));
  } catch (error) {
    if (error instanceof SynthError) throw error;
    throw new SynthError(`cannot synthesize ${what}: ${error instanceof Error ? error.message : String(error)}`, [], { cause: error });
  }
}
