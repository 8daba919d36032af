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
