/** Synthesis: what the rest of Slipway imports. */
export { synthesize } from './synthesize.ts';
export { synthesizeLazily } from './synthesize-lazily.ts';
export { synthesizeWith } from './synthesize-with.ts';
export { synthesizePlatform } from './synthesize-platform.ts';
export type { SynthOptions } from './synthesize-with.ts';
export { checkReferences } from './check-references.ts';
export { componentOf } from './component-of.ts';
export { serviceUrls } from './service-urls.ts';
export { canonicalize } from './canonical-json.ts';
export { SynthError } from './synth-error.ts';
export type { TerraformJson, TerraformBlock } from '../plan/terraform-json.ts';
export type { PlatformOptions } from '../../stacks/platform.ts';
export { postgresInstanceClass, redisNodeType } from '../../stacks/sizes.ts';
export { defaultStateBucket, stateKey } from '../../stacks/state-backend.ts';
