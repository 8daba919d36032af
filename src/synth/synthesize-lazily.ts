/** `synthesize`, loading only the constructs (and provider resources) of the kinds the config uses. */
import type { ResolvedConfig } from '../config/schema.ts';
import { kindsUsedBy, loadKinds } from '../../stacks/kinds.ts';
import type { SynthOptions } from './synthesize-with.ts';
import { synthesizeWith } from './synthesize-with.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';

export async function synthesizeLazily(config: ResolvedConfig, options: SynthOptions = {}): Promise<TerraformJson> {
  return synthesizeWith(config, await loadKinds(kindsUsedBy(config)), options);
}
