/**
 * `synthesize(config, options)`: one app in one environment → Terraform JSON, synchronously, with
 * every kind's construct loaded up front. See synthesize-with.ts for how; synthesize-lazily.ts
 * loads only the kinds a config uses (what the CLI does, for a faster cold start).
 */
import type { ResolvedConfig } from '../config/schema.ts';
import { allKinds } from '../../stacks/all-kinds.ts';
import type { SynthOptions } from './synthesize-with.ts';
import { synthesizeWith } from './synthesize-with.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';

export type { SynthOptions };

export function synthesize(config: ResolvedConfig, options: SynthOptions = {}): TerraformJson {
  return synthesizeWith(config, allKinds, options);
}
