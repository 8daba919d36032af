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
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonicalize((value as Record<string, unknown>)[key]);
  return out as T;
}
