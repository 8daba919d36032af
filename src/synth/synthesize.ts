/**
 * config + environment → Terraform JSON, in memory. A `TerraformStack` is built under a plain
 * `constructs` root and turned into its document in memory (`stackToTerraform`, a faster
 * `toTerraform()`): a cdktf `App` would write to disk, which a Worker cannot. The document is key-sorted (same input → same bytes) and checked
 * for dangling references before it is returned.
 */
import { RootConstruct } from 'constructs';
import type { ResolvedConfig } from '../config/schema.ts';
import type { AppStackOptions } from '../../stacks/app-stack.ts';
import { AppStack } from '../../stacks/app-stack.ts';
import { canonicalize } from './canonical-json.ts';
import { checkReferences } from './check-references.ts';
import { stackToTerraform } from './stack-to-terraform.ts';
import { SynthError } from './synth-error.ts';
import type { TerraformJson } from './terraform-json.ts';

export type SynthOptions = AppStackOptions;

export function synthesize(config: ResolvedConfig, options: SynthOptions = {}): TerraformJson {
  return withoutCreationStacks(() => {
    const stack = new AppStack(new RootConstruct(), config, options);
    return finish(stackToTerraform(stack), `${config.name}/${config.environment}`);
  });
}


/**
 * cdktf captures a full, unlimited stack trace with `Error.captureStackTrace` for every token it
 * creates (cdktf lib/tokens/private/stack-trace.js), only to quote it if that token later fails to
 * resolve. With source maps on (tsx) that is most of the synthesis time: about 35 ms of a 40 ms
 * synthesis of microservices-demo. Synthesis is synchronous, so `Error.captureStackTrace` is a
 * no-op for exactly its duration (cdktf then records an empty trace); `new Error()` is unaffected.
 */
export function withoutCreationStacks<T>(run: () => T): T {
  const previous = Error.captureStackTrace;
  Error.captureStackTrace = () => {};
  try {
    return run();
  } finally {
    Error.captureStackTrace = previous;
  }
}

/** Key-sorted, literals restored, references checked: the document as every caller sees it. */
export function finish(raw: TerraformJson, what: string): TerraformJson {
  const doc = canonicalize(raw);
  const problems = checkReferences(doc);
  if (problems.length > 0) {
    throw new SynthError(`internal error: the Terraform JSON for ${what} refers to things it does not define:\n  ${problems.join('\n  ')}`, problems);
  }
  return doc;
}
