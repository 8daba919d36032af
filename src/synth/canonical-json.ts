/**
 * The finished document: a deep copy with object keys in sorted order, so that `JSON.stringify`
 * of the same document is the same bytes however it was built, and with user text's template
 * escapes put back (see `literal` in stacks/naming.ts). Array order is meaning (listener rules,
 * container definitions) and is kept.
 */
import { restoreLiterals } from '../../stacks/naming.ts';

export function canonicalize<T>(value: T): T {
  if (typeof value === 'string') return restoreLiterals(value) as T;
  if (Array.isArray(value)) return value.map(canonicalize) as T;
  if (value === null || typeof value !== 'object') return value;
  // Keys are user text too (config `tags`): restored like values, and sorted as they come out.
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value).map((key) => [restoreLiterals(key), key] as const);
  for (const [shown, key] of keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[shown] = canonicalize((value as Record<string, unknown>)[key]);
  return out as T;
}
