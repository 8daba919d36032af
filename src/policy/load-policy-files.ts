/**
 * Policy files → rules, or located errors (file:line:col, field path, message, "did you mean").
 * Validated as strictly as paas.yaml: unknown keys, wrong types, duplicate keys, custom tags,
 * oversized files and alias bombs are all errors, never crashes.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { PolicyFile, policyKeywords, type PolicyRule } from './rule-schema.ts';

export type PolicyFileError = {
  file: string;
  line: number;
  column: number;
  /** Field path inside the file, e.g. `rules.2.select.resource.type`. */
  path: string;
  message: string;
  hint?: string;
};

export type PolicyOverride = { id: string; severity?: 'error' | 'warning'; enabled?: boolean; source: string; definedAt?: { file: string; line: number; column: number } };

export type LoadedPolicies = {
  rules: PolicyRule[];
  /** `params:` of every file, later files winning. */
  params: Record<string, unknown>;
  overrides: PolicyOverride[];
  errors: PolicyFileError[];
};

/** Deep enough for any real rule (file → rules → rule → assert → anyOf → … ≈ 12), shallow enough for every recursion. */
const maxNesting = 40;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > maxNesting) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Policy files are small; anything larger is refused before parsing. */
export const maxPolicyFileBytes = 256 * 1024;

export function formatPolicyError(error: PolicyFileError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.path || '(file)'}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
}

/**
 * `source` is the prefix of each rule's source: `builtin`, `server` or `repo` → `repo:<path>`.
 * Files are read in path order so that results do not depend on the map's insertion order.
 */
export function loadPolicyFiles(files: Map<string, string>, source: string): LoadedPolicies {
  const out: LoadedPolicies = { rules: [], params: {}, overrides: [], errors: [] };
  const seen = new Map<string, string>();
  for (const file of [...files.keys()].sort()) {
    const parsed = loadPolicyFile(file, files.get(file)!);
    if ('errors' in parsed) {
      out.errors.push(...parsed.errors);
      continue;
    }
    const { document, value, lineCounter } = parsed;
    Object.assign(out.params, value.params);
    value.rules.forEach((rule, index) => {
      const earlier = seen.get(rule.id);
      if (earlier !== undefined) {
        out.errors.push({ ...position(document, lineCounter, ['rules', index, 'id'], file), path: `rules.${index}.id`, message: `duplicate rule id "${rule.id}" (also in ${earlier})` });
        return;
      }
      seen.set(rule.id, file);
      out.rules.push({ ...rule, source: `${source}:${file}`, definedAt: position(document, lineCounter, ['rules', index, 'id'], file) });
    });
    (value.overrides ?? []).forEach((override, index) => {
      out.overrides.push({ ...override, source: `${source}:${file}`, definedAt: position(document, lineCounter, ['overrides', index, 'id'], file) });
    });
  }
  return out;
}

type Parsed = { document: Document; lineCounter: LineCounter; value: PolicyFile } | { errors: PolicyFileError[] };

export function loadPolicyFile(file: string, text: string): Parsed {
  if (Buffer.byteLength(text, 'utf8') > maxPolicyFileBytes) {
    return { errors: [{ file, line: 1, column: 1, path: '', message: `file is larger than ${maxPolicyFileBytes / 1024} KiB; policy files are refused above that size` }] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, customTags: [] });
  const yamlErrors = [...document.errors, ...document.warnings];
  if (yamlErrors.length > 0) {
    return {
      errors: yamlErrors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, path: '', message: yamlMessage(error.code, error.message) };
      }),
    };
  }
  let data: unknown;
  try {
    // Alias expansion is bounded: a "billion laughs" document fails here instead of exhausting memory.
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { errors: [{ file, line: 1, column: 1, path: '', message: `cannot read YAML: ${(error as Error).message}` }] };
  }
  if (data === null || data === undefined) {
    return { errors: [{ file, line: 1, column: 1, path: '', message: 'file is empty; expected `version: 1` and `rules:`' }] };
  }
  if (depthOf(data) > maxNesting) {
    return { errors: [{ file, line: 1, column: 1, path: '', message: `nested more than ${maxNesting} levels deep; policy rules never need that many` }] };
  }
  const result = PolicyFile.safeParse(data);
  if (!result.success) return { errors: result.error.issues.flatMap((issue) => locateIssue(issue, document, lineCounter, file)) };
  return { document, lineCounter, value: result.data };
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0];
  if (code === 'DUPLICATE_KEY') return `duplicate key: ${first}`;
  if (code === 'TAG_RESOLVE_FAILED') return `custom YAML tags are not allowed: ${first}`;
  return first;
}

function locateIssue(issue: z.core.$ZodIssue, document: Document, lineCounter: LineCounter, file: string): PolicyFileError[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const hint = didYouMean(key, policyKeywords.filter((word) => word !== key));
      return {
        ...position(document, lineCounter, [...path, key], file, true),
        path: [...path, key].join('.'),
        message: `unknown key "${key}"`,
        ...(hint ? { hint: `did you mean "${hint}"?` } : {}),
      };
    });
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest (most specific path) rather than "invalid input".
    const inner = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (inner && inner.code !== 'invalid_type') return locateIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, document, lineCounter, file);
  }
  let hint: string | undefined;
  if (issue.code === 'custom' && typeof issue.params?.hint === 'string') hint = issue.params.hint;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const actual = valueAt(document, path);
    const suggestion = typeof actual === 'string' ? didYouMean(actual, issue.values.map(String)) : undefined;
    if (suggestion) hint = `did you mean "${suggestion}"?`;
  }
  return [{ ...position(document, lineCounter, path, file), path: path.join('.'), message: issue.message, ...(hint ? { hint } : {}) }];
}

function valueAt(document: Document, path: (string | number)[]): unknown {
  const node = document.getIn(path, true);
  return isScalar(node) ? node.value : undefined;
}

/** Line and column of the node at `path` (or of its key), falling back to the nearest ancestor that exists. */
function position(document: Document, lineCounter: LineCounter, path: (string | number)[], file: string, key = false): Pick<PolicyFileError, 'file' | 'line' | 'column'> {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    let range: readonly number[] | undefined | null;
    if ((key || length < path.length) && length > 0) {
      const parent = document.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(prefix[length - 1]));
        if (pair && isScalar(pair.key)) range = pair.key.range;
      }
    }
    if (!range) {
      const node = length === 0 ? document.contents : document.getIn(prefix, true);
      range = (node as { range?: readonly number[] } | undefined)?.range;
    }
    if (range) {
      const { line, col } = lineCounter.linePos(range[0]);
      return { file, line, column: col };
    }
  }
  return { file, line: 1, column: 1 };
}
