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
  return isolated(() => {
    const stack = new AppStack(new RootConstruct(), config, options);
    return finish(stackToTerraform(stack), `${config.name}/${config.environment}`);
  });
}


/**
 * Runs one synthesis without the cost of cdktf's process-wide bookkeeping:
 *
 * - cdktf captures a full, unlimited stack trace with `Error.captureStackTrace` for every token it
 *   creates (cdktf lib/tokens/private/stack-trace.js), only to quote it if that token later fails
 *   to resolve. With source maps on (tsx) that was most of the time: about 35 ms of a 40 ms
 *   synthesis of microservices-demo. It is a no-op for the duration (`new Error()` is unaffected).
 * - cdktf registers every token in one global map (`globalThis.__cdktfTokenMap`) and never
 *   removes any, so each synthesis kept its whole construct tree alive: about 160 KB per run of
 *   microservices-demo, without bound in a long-running worker. The entries a run added are
 *   removed once its document is plain JSON; entries that were there before are left alone.
 *
 * Synthesis is synchronous, so nothing else runs while these are changed.
 */
export function isolated<T>(run: () => T): T {
  const maps = tokenMaps();
  const sizes = maps.map((map) => map.size);
  const previousCapture = Error.captureStackTrace;
  Error.captureStackTrace = () => {};
  try {
    return run();
  } finally {
    Error.captureStackTrace = previousCapture;
    maps.forEach((map, i) => forgetEntriesAfter(map, sizes[i]));
  }
}

/** cdktf's token maps (private fields of its TokenMap), or none if its internals have changed. */
function tokenMaps(): Map<unknown, unknown>[] {
  const tokenMap = (globalThis as { __cdktfTokenMap?: { stringTokenMap?: unknown; numberTokenMap?: unknown } }).__cdktfTokenMap;
  const maps = [tokenMap?.stringTokenMap, tokenMap?.numberTokenMap];
  return maps.every((map) => map instanceof Map) ? (maps as Map<unknown, unknown>[]) : [];
}

/** Maps iterate in insertion order and cdktf never deletes, so the newest entries come last. */
function forgetEntriesAfter(map: Map<unknown, unknown>, size: number): void {
  if (map.size <= size) return;
  if (size === 0) return map.clear();
  const added: unknown[] = [];
  let index = 0;
  for (const key of map.keys()) if (index++ >= size) added.push(key);
  for (const key of added) map.delete(key);
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
