/**
 * Dotted paths into attribute objects: `tags.slipway:app`, `ingress.*.cidr_blocks`,
 * `server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm`.
 * A name segment that meets an array applies to each element, so a block written as an object or
 * as a one-element list (both occur in Terraform JSON) reads the same. `*` takes every element of
 * an array or every value of an object; a number takes one element. A string holding JSON
 * (`container_definitions`, IAM `policy`) is parsed when a path goes into it.
 */
import { LruMap } from '../lru-map.ts';

// Paths from policy files, split once: bounded (entries and characters).
const cache = new LruMap<string, string[]>(10_000, { weigh: (path) => path.length, maxWeight: 1_000_000 });

export function splitPath(path: string): string[] {
  let segments = cache.get(path);
  if (!segments) {
    segments = path === '' ? [] : path.split('.');
    cache.set(path, segments);
  }
  return segments;
}

/** Every value found at `path` (none when it is absent; `null` counts as absent). */
export function valuesAt(root: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(root, splitPath(path), 0, out);
  return out;
}

function collect(value: unknown, segments: string[], index: number, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (index === segments.length) {
    out.push(value);
    return;
  }
  const segment = segments[index];
  if (typeof value === 'string') {
    // JSON-encoded attributes (container_definitions, IAM policy documents) are read as data.
    const parsed = parseJson(value);
    if (parsed !== undefined) collect(parsed, segments, index, out);
    return;
  }
  if (Array.isArray(value)) {
    if (segment === '*') for (const item of value) collect(item, segments, index + 1, out);
    else if (/^\d+$/.test(segment)) collect(value[Number(segment)], segments, index + 1, out);
    else for (const item of value) collect(item, segments, index, out);
    return;
  }
  if (typeof value === 'object') {
    if (segment === '*') for (const item of Object.values(value)) collect(item, segments, index + 1, out);
    else if (Object.hasOwn(value, segment)) collect((value as Record<string, unknown>)[segment], segments, index + 1, out);
  }
}

/** The elements a quantifier (`some`, `every`) ranges over: arrays are opened, anything else is one element. */
export function elementsAt(root: unknown, path: string): unknown[] {
  return valuesAt(root, path).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

// JSON held in attribute strings (container definitions, IAM policies), parsed once per text; the
// texts can be large, so the bound is on their total length too.
const jsonCache = new LruMap<string, unknown>(1_000, { weigh: (text) => text.length, maxWeight: 8_000_000 });
function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  if (jsonCache.has(text)) return jsonCache.get(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  jsonCache.set(text, parsed);
  return parsed;
}
