/**
 * cdktf, constructs and provider resources, loaded with `require`.
 *
 * Why not `import`: they are CommonJS, and an ES module importing CommonJS under a loader hook
 * (tsx, which runs this TypeScript) sends the package and every `require` inside it through the
 * hook, then lexes each file for its export names. Loading cdktf, constructs and the 55 provider
 * resources the stacks use measured 1.3 s of CPU that way against 0.6 s with `require`, on the same
 * (busy) machine: half of a cold `slipway synth`. Both routes share Node's module cache, so mixing
 * them elsewhere still yields the same classes. Only `@cdktf/provider-aws/lib/<resource>` modules
 * are ever loaded, never the package root (3.7 s, 600 MB).
 *
 * The trade-off: a bundler cannot follow `aws('<resource>')`. Synthesis runs on Node today (the
 * Workers entry only ingests webhooks); bundling it for a Worker would mean static imports again.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const cdktf: typeof import('cdktf') = load('cdktf');
export const constructs: typeof import('constructs') = load('constructs');

/** One provider resource module: `aws<typeof import('@cdktf/provider-aws/lib/sqs-queue/index.js')>('sqs-queue')`. */
export function aws<T>(resource: string): T {
  return load(`@cdktf/provider-aws/lib/${resource}/index.js`) as T;
}
