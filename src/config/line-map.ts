/**
 * Where a field lives in the `paas.yaml` source. Errors point at it; policy annotations and PR
 * review comments put their note on the exact lines (`locate('services.web.memory')`).
 */
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';

/** 1-based; `endLine`/`endColumn` close the field's value (the last character, inclusive). */
export type Location = { line: number; column: number; endLine: number; endColumn: number };

/** `services.web.cpu`, `services.web.schedule[0].cron` (or `schedule.0.cron`), or the segments themselves. */
export type FieldPath = string | readonly (string | number)[];

export type LineMap = {
  /** The field from the start of its key to the end of its value; undefined when the path is not in the file. */
  locate(path: FieldPath): Location | undefined;
  /** Only the value (where a wrong value starts). */
  locateValue(path: FieldPath): Location | undefined;
  /** The deepest part of `path` present in the file: `matched` segments of it (0 = the document). */
  nearest(path: FieldPath): { location: Location; matched: number; isKey: boolean };
};

export function parsePath(path: FieldPath): (string | number)[] {
  if (typeof path !== 'string') return [...path];
  if (path === '') return [];
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      out.push(part);
      continue;
    }
    if (match[1] !== '') out.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** Segments → `services.web.schedule[0].cron`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

type Found = { key: Node | undefined; value: Node | undefined; matched: number };

export function createLineMap(doc: Document, counter: LineCounter, text: string): LineMap {
  const position = (offset: number) => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  const span = (from: Node | undefined, to: Node | undefined): Location | undefined => {
    const start = from?.range?.[0] ?? to?.range?.[0];
    if (start === undefined) return undefined;
    let endOffset = Math.max(start, (to?.range?.[1] ?? from?.range?.[1] ?? start + 1) - 1);
    while (endOffset > start && /\s/.test(text[endOffset] ?? '')) endOffset -= 1;
    const a = position(start);
    const b = position(endOffset);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  const find = (segments: readonly (string | number)[]): Found => {
    let current: unknown = doc.contents ?? undefined;
    let found: Found = { key: undefined, value: (current as Node | undefined) ?? undefined, matched: 0 };
    let i = 0;
    while (i < segments.length) {
      const node = resolve(current);
      let next: { key: Node | undefined; value: unknown; used: number } | undefined;
      if (isMap(node)) next = findInMap(node.items as Pair[], segments, i, resolve);
      else if (isSeq(node)) {
        const index = typeof segments[i] === 'number' ? (segments[i] as number) : /^\d+$/.test(String(segments[i])) ? Number(segments[i]) : -1;
        if (index >= 0 && index < node.items.length) next = { key: undefined, value: node.items[index], used: 1 };
      }
      if (!next) break;
      i += next.used;
      current = next.value;
      found = { key: next.key, value: (next.value as Node | null) ?? undefined, matched: i };
    }
    return found;
  };

  const documentStart = (): Location => span(doc.contents ?? undefined, doc.contents ?? undefined) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };

  return {
    locate(path) {
      const segments = parsePath(path);
      const found = find(segments);
      if (found.matched !== segments.length) return undefined;
      if (segments.length === 0) return documentStart();
      return span(found.key ?? found.value, found.value ?? found.key);
    },
    locateValue(path) {
      const segments = parsePath(path);
      const found = find(segments);
      if (found.matched !== segments.length) return undefined;
      if (segments.length === 0) return documentStart();
      return span(found.value ?? found.key, found.value ?? found.key);
    },
    nearest(path) {
      const segments = parsePath(path);
      const found = find(segments);
      if (found.matched === 0) return { location: documentStart(), matched: 0, isKey: false };
      const location = span(found.key ?? found.value, found.key ?? found.value) ?? documentStart();
      return { location, matched: found.matched, isKey: found.key !== undefined };
    },
  };
}

/** A key at `segments[i]` (or several segments joined by dots, for keys such as tag names with dots); follows `<<` merges. */
function findInMap(
  items: Pair[],
  segments: readonly (string | number)[],
  i: number,
  resolve: (node: unknown) => unknown,
  seen = new Set<unknown>(),
): { key: Node | undefined; value: unknown; used: number } | undefined {
  for (let used = 1; i + used <= segments.length; used += 1) {
    const name = segments.slice(i, i + used).map(String).join('.');
    for (const pair of items) {
      if (isScalar(pair.key) && !isMergeKey(pair.key) && String(pair.key.value) === name) return { key: pair.key as Node, value: pair.value, used };
    }
  }
  for (const pair of items) {
    if (!isMergeKey(pair.key)) continue;
    const sources = isSeq(resolve(pair.value)) ? (resolve(pair.value) as { items: unknown[] }).items : [pair.value];
    for (const source of sources) {
      const target = resolve(source);
      if (!isMap(target) || seen.has(target)) continue;
      seen.add(target);
      const hit = findInMap(target.items as Pair[], segments, i, resolve, seen);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** `<<` in a mapping (the yaml package gives merge keys a symbol value). */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}
