/**
 * `paas.yaml` text → plain data, treating the file as untrusted input: the size is checked before
 * parsing, duplicate keys are errors, aliases expand a bounded number of times ("billion laughs"),
 * nesting depth is bounded, and tags other than YAML's own core ones are refused. Every problem
 * comes back as a located error; nothing here throws.
 */
import type { Document, Node, Pair } from 'yaml';
import { LineCounter, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { ConfigError } from './errors.ts';
import { compareConfigErrors } from './errors.ts';
import type { LineMap } from './line-map.ts';
import { createLineMap, formatPath, isMergeKey } from './line-map.ts';

export const limits = {
  /** Refused before parsing; a real `paas.yaml` is a few KiB. */
  maxBytes: 256 * 1024,
  /** Alias expansions per document (the yaml package's own guard, made explicit and small). */
  maxAliasCount: 100,
  /** Nested mappings/sequences; a real `paas.yaml` needs under 10. */
  maxDepth: 64,
  /** YAML syntax errors reported per file; one bad bracket can cause hundreds. */
  maxSyntaxErrors: 20,
} as const;

export type ParsedYaml = { ok: true; value: unknown; doc: Document; lines: LineMap } | { ok: false; errors: ConfigError[] };

const coreTagPrefix = 'tag:yaml.org,2002:';
const coreTags = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => coreTagPrefix + name));

export function byteLength(text: string): number {
  if (text.length > limits.maxBytes) return text.length; // at least one byte per UTF-16 unit: already too large
  return new TextEncoder().encode(text).length;
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const size = byteLength(text);
  if (size > limits.maxBytes) {
    return fail({
      file, line: 1, column: 1, path: '',
      message: `file is too large (${formatBytes(size)}); the limit is ${formatBytes(limits.maxBytes)}, checked before parsing`,
      hint: 'a paas.yaml is a few KiB: move data out of it',
    });
  }

  const counter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    schema: 'core',
    version: '1.2',
  });
  const at = (offset: number) => {
    const { line, col } = counter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const located = (offset: number, message: string, hint?: string): ConfigError => ({
    file, ...at(offset), path: pathAtOffset(doc, offset), message, ...(hint ? { hint } : {}),
  });

  if (doc.errors.length > 0) {
    if (doc.errors.some((e) => e.code === 'RESOURCE_EXHAUSTION')) {
      const first = Math.min(...doc.errors.map((e) => e.pos[0]));
      return fail({ file, ...at(first), path: '', message: `nesting is too deep (the limit is ${limits.maxDepth} levels)`, hint: 'flatten the structure' });
    }
    return { ok: false, errors: dedupe(doc.errors.map((e) => syntaxError(e.code, e.message, e.pos[0], text, located))) };
  }

  const errors: ConfigError[] = [];
  for (const warning of doc.warnings) errors.push(syntaxError(warning.code, warning.message, warning.pos[0], text, located));
  const reported = new Set(errors.map((e) => `${e.path}\u0000${e.message}`));
  errors.push(...checkNodes(doc, located).filter((e) => !reported.has(`${e.path}\u0000${e.message}`)));
  if (errors.length > 0) return { ok: false, errors: dedupe(errors.sort(compareConfigErrors)) };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    const firstAlias = findFirstAlias(doc);
    const offset = firstAlias?.range?.[0] ?? 0;
    const message = error instanceof ReferenceError && /alias/i.test(error.message)
      ? `aliases expand too many times (the limit is ${limits.maxAliasCount} expansions)`
      : `could not read the YAML: ${error instanceof Error ? error.message : String(error)}`;
    return fail(located(offset, message, 'this looks like a "billion laughs" expansion: write the values out instead of nesting aliases'));
  }

  if (value === null || value === undefined) {
    return fail({ file, line: 1, column: 1, path: '', message: 'file is empty', hint: 'start with `version: 1` and `name: <app>`' });
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail(located(doc.contents?.range?.[0] ?? 0, `the top level must be a mapping of fields, not ${Array.isArray(value) ? 'a list' : 'a single value'}`, 'start with `version: 1` and `name: <app>`'));
  }
  return { ok: true, value, doc, lines: createLineMap(doc, counter, text) };
}

function fail(error: ConfigError): ParsedYaml {
  return { ok: false, errors: [error] };
}

function syntaxError(
  code: string,
  rawMessage: string,
  offset: number,
  text: string,
  located: (offset: number, message: string, hint?: string) => ConfigError,
): ConfigError {
  const message = rawMessage.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]$/, '');
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = keyTextAt(text, offset);
      const first = key ? firstKeyBefore(text, offset, key) : undefined;
      return located(offset, `duplicate key${key ? ` \`${key}\`` : ''}: each key may appear once in a mapping`, first ? `the first \`${key}\` is on line ${first}: keep one` : 'keep one of them');
    }
    case 'TAG_RESOLVE_FAILED': {
      const tag = /Unresolved tag: (\S+)/.exec(rawMessage)?.[1] ?? 'tag';
      return located(offset, `custom tag \`${tag}\` is not allowed`, 'paas.yaml is plain YAML: remove the tag');
    }
    case 'MULTIPLE_DOCS':
      return located(offset, 'a paas.yaml holds one YAML document', 'remove the `---` separator and what follows it, or split it into another app folder');
    case 'BAD_INDENT':
    case 'MISSING_CHAR': {
      const closer = /end with an? ([\]}])|must end with an? ([\]}])/.exec(rawMessage);
      const wanted = closer?.[1] ?? closer?.[2];
      const opener = wanted ? unclosedBracket(text, offset, wanted === ']' ? '[' : '{') : undefined;
      if (wanted && opener !== undefined) {
        return located(opener, `\`${wanted === ']' ? '[' : '{'}\` is never closed`, `add \`${wanted}\` at the end of the ${wanted === ']' ? 'list' : 'mapping'}, on the same line or an indented one`);
      }
      return located(offset, `YAML syntax error: ${lowerFirst(message)}`, undefined);
    }
    case 'TAB_AS_INDENT':
      return located(offset, lowerFirst(message), 'indent with spaces, not tabs');
    default:
      return located(offset, `YAML syntax error: ${lowerFirst(message)}`, undefined);
  }
}

/** The offset of the last `[` (or `{`) before `offset` that is not closed, skipping quoted text and comments. */
function unclosedBracket(text: string, offset: number, open: '[' | '{'): number | undefined {
  const close = open === '[' ? ']' : '}';
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(offset, text.length); i += 1) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote || c === '\n') quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === open) stack.push(i);
    else if (c === close) stack.pop();
  }
  return stack.length > 0 ? stack[stack.length - 1] : undefined;
}

/** Line of the earlier key with the same name and indentation (same mapping, in block style). */
function firstKeyBefore(text: string, offset: number, key: string): number | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = offset - lineStart;
  const lines = text.slice(0, lineStart).split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i];
    const lineIndent = line.length - line.trimStart().length;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (lineIndent < indent) break;
    if (lineIndent === indent && keyTextAt(line.slice(indent), 0) === key) return i + 1;
  }
  return undefined;
}

function keyTextAt(text: string, offset: number): string {
  const match = /^("[^"\n]*"|'[^'\n]*'|[^:#\n]+?)\s*:/.exec(text.slice(offset, offset + 200));
  return match ? match[1].replace(/^["']|["']$/g, '') : '';
}

/** Tags, complex keys and depth: checked on the syntax tree, iteratively (no recursion on hostile input). */
function checkNodes(doc: Document, located: (offset: number, message: string, hint?: string) => ConfigError): ConfigError[] {
  const errors: ConfigError[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!node || isAlias(node)) continue;
    const n = node as Node;
    if (n.tag && !coreTags.has(n.tag)) {
      errors.push(located(n.range?.[0] ?? 0, `custom tag \`${shortTag(n.tag)}\` is not allowed`, 'paas.yaml is plain YAML: remove the tag'));
    }
    if (!isCollection(n)) continue;
    if (depth > limits.maxDepth) {
      errors.push(located(n.range?.[0] ?? 0, `nesting is too deep (the limit is ${limits.maxDepth} levels)`, 'flatten the structure'));
      break;
    }
    if (isMap(n)) {
      for (const pair of n.items as Pair[]) {
        if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) {
          const key = pair.key as Node;
          errors.push(located(key.range?.[0] ?? 0, 'keys must be plain names, not lists or mappings', undefined));
        } else if (isScalar(pair.key) && pair.key.value === '__proto__') {
          // Data, never a prototype: zod would silently drop the key, so it is refused instead.
          errors.push(located(pair.key.range?.[0] ?? 0, '`__proto__` is not allowed as a key', 'rename the key'));
        } else if (isScalar(pair.key) && pair.key.tag && !coreTags.has(pair.key.tag)) {
          errors.push(located(pair.key.range?.[0] ?? 0, `custom tag \`${shortTag(pair.key.tag)}\` is not allowed`, 'paas.yaml is plain YAML: remove the tag'));
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(n)) {
      for (const item of n.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return errors;
}

function shortTag(tag: string): string {
  return tag.startsWith(coreTagPrefix) ? `!!${tag.slice(coreTagPrefix.length)}` : tag;
}

function findFirstAlias(doc: Document): Node | undefined {
  let first: Node | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (!first || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0)) first = node;
    } else if (isMap(node)) for (const pair of node.items as Pair[]) stack.push(pair.value);
    else if (isSeq(node)) stack.push(...node.items);
  }
  return first;
}

/** The field path of the innermost key or value containing `offset` (for syntax errors). */
function pathAtOffset(doc: Document, offset: number): string {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (let guard = 0; guard < limits.maxDepth * 2 && node; guard += 1) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (key?.range && offset >= key.range[0] && offset < key.range[1]) {
          if (isScalar(key)) path.push(isMergeKey(key) ? '<<' : String(key.value));
          return formatPath(path);
        }
        if (value?.range && key?.range && offset >= key.range[1] && offset < value.range[2] && isScalar(key)) {
          path.push(isMergeKey(key) ? '<<' : String(key.value));
          next = value;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const range = (item as Node | null)?.range;
        if (!next && range && offset >= range[0] && offset < range[2]) {
          path.push(index);
          next = item;
        }
      });
    }
    node = next;
  }
  return formatPath(path.length > 8 ? [...path.slice(0, 8), '…'] : path);
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  const out: ConfigError[] = [];
  for (const e of errors) {
    const key = `${e.line}:${e.column}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= limits.maxSyntaxErrors) break;
  }
  return out;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
