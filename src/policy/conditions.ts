/**
 * Condition evaluation in three-valued logic: true, false, or undefined when a `$` reference it
 * needs is not set (an unset `$budget.monthly` or `$params.allowedRegions` means "nothing to
 * judge", which must neither fail nor count as a match). `assert` faults a subject on a false
 * condition; `deny` faults it when every condition is true.
 */
import type { Condition } from './rule-schema.ts';
import { elementsAt, valuesAt } from './path.ts';
import { compilePattern, type Pattern } from './pattern.ts';
import { referencedAddresses, type ResourceGraph } from './resource-graph.ts';
import { LruMap } from '../lru-map.ts';

export type Verdict = boolean | undefined;

export type Scope = {
  /** Resolves `$budget.monthly`, `$params.x`, …; undefined when unset. */
  reference: (ref: string) => unknown;
  graph: ResourceGraph;
  /** Address of the top-level resource being judged, for `related`. */
  address?: string;
};

const maxMatchLength = 10_000;
// Compiled patterns, keyed by text from policy files: bounded (entries and characters).
const regexCache = new LruMap<string, Pattern>(500, { weigh: (pattern) => pattern.length, maxWeight: 1_000_000 });
function regex(pattern: string): Pattern {
  let compiled = regexCache.get(pattern);
  if (!compiled) {
    compiled = compilePattern(pattern);
    regexCache.set(pattern, compiled);
  }
  return compiled;
}

const isReference = (value: unknown): value is string => typeof value === 'string' && value.startsWith('$');
/** A `matches:` pattern is never a reference, even when it starts with `$` (an end anchor). */
const isOperandReference = (key: string, value: unknown): value is string => key !== 'matches' && isReference(value);

function operand(value: unknown, scope: Scope): unknown {
  return isReference(value) ? scope.reference(value) : value;
}

function subjectValues(subject: unknown, path: string, scope: Scope): unknown[] {
  if (isReference(path)) {
    const value = scope.reference(path);
    return value === undefined || value === null ? [] : [value];
  }
  return valuesAt(subject, path);
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return a.trim() !== '' && Number(a) === b;
  if (typeof a === 'boolean' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'boolean') return a === String(b);
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function contains(value: unknown, needle: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => looseEquals(item, needle));
  if (typeof value === 'string' && typeof needle === 'string') return value.includes(needle);
  return false;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function compare(values: unknown[], raw: unknown, scope: Scope, test: (a: number, b: number) => boolean): Verdict {
  const limit = toNumber(operand(raw, scope));
  if (limit === undefined) return undefined;
  return values.some((value) => {
    const number = toNumber(value);
    return number !== undefined && test(number, limit);
  });
}

function list(raw: unknown, scope: Scope): unknown[] | undefined {
  const value = operand(raw, scope);
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value : [value];
}

export function and(verdicts: Iterable<Verdict>): Verdict {
  let unknown = false;
  for (const verdict of verdicts) {
    if (verdict === false) return false;
    if (verdict === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

export function or(verdicts: Iterable<Verdict>): Verdict {
  let unknown = false;
  for (const verdict of verdicts) {
    if (verdict === true) return true;
    if (verdict === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

export function evaluateAll(conditions: Condition[], subject: unknown, scope: Scope): Verdict {
  let unknown = false;
  for (const condition of conditions) {
    const verdict = evaluateCondition(condition, subject, scope);
    if (verdict === false) return false;
    if (verdict === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

function evaluateAny(conditions: Condition[], subject: unknown, scope: Scope): Verdict {
  let unknown = false;
  for (const condition of conditions) {
    const verdict = evaluateCondition(condition, subject, scope);
    if (verdict === true) return true;
    if (verdict === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

export function evaluateCondition(c: Condition, subject: unknown, scope: Scope): Verdict {
  if (c.anyOf) return evaluateAny(c.anyOf, subject, scope);
  if (c.allOf) return evaluateAll(c.allOf, subject, scope);
  if (c.not) {
    const verdict = evaluateCondition(c.not, subject, scope);
    return verdict === undefined ? undefined : !verdict;
  }
  if (c.related) {
    if (scope.address === undefined) return false;
    const { type, via, where } = c.related;
    const sources = scope.graph.incoming(scope.address, typeof type === 'string' ? [type] : type, via);
    return or(sources.map((source) => (where ? evaluateAll(where, source.view, { ...scope, address: source.address }) : true)));
  }
  if (c.references) {
    const { path, type, where } = c.references;
    const types = type === undefined ? undefined : typeof type === 'string' ? [type] : type;
    const targets = [...referencedAddresses(subjectValues(subject, path, scope))]
      .map((address) => scope.graph.byAddress.get(address))
      .filter((target) => target !== undefined && (!types || types.includes(target.type)));
    return or(targets.map((target) => (where ? evaluateAll(where, target!.view, { ...scope, address: target!.address }) : true)));
  }
  const path = c.path!;
  if (c.some || c.every) {
    const elements = isReference(path) ? subjectValues(subject, path, scope) : elementsAt(subject, path);
    if (c.some) return or(elements.map((element) => evaluateAll(c.some!, element, scope)));
    return and(elements.map((element) => evaluateAll(c.every!, element, scope)));
  }
  const found = subjectValues(subject, path, scope);
  if (c.exists) return found.length > 0;
  if (c.absent) return found.length === 0;
  if (c.contains !== undefined) return positive(operand(c.contains, scope), (want) => found.some((value) => contains(value, want)));
  if (c.notContains !== undefined) return negative(operand(c.notContains, scope), (want) => found.some((value) => contains(value, want)));
  // Value tests look inside a list value (`Action: ["s3:GetObject", "*"]` equals "*"), unless the
  // operand is itself a list, which is compared whole.
  const listOperand = Array.isArray(c.equals ?? c.notEquals);
  const values = listOperand ? found : found.flatMap((value) => (Array.isArray(value) ? value : [value]));
  if (c.equals !== undefined) return positive(operand(c.equals, scope), (want) => values.some((value) => looseEquals(value, want)));
  if (c.notEquals !== undefined) return negative(operand(c.notEquals, scope), (want) => values.some((value) => looseEquals(value, want)));
  if (c.in !== undefined) {
    const options = list(c.in, scope);
    return options === undefined ? undefined : values.some((value) => options.some((option) => looseEquals(value, option)));
  }
  if (c.notIn !== undefined) {
    const options = list(c.notIn, scope);
    return options === undefined ? undefined : !values.some((value) => options.some((option) => looseEquals(value, option)));
  }
  if (c.greaterThan !== undefined) return compare(values, c.greaterThan, scope, (a, b) => a > b);
  if (c.greaterThanOrEqual !== undefined) return compare(values, c.greaterThanOrEqual, scope, (a, b) => a >= b);
  if (c.lessThan !== undefined) return compare(values, c.lessThan, scope, (a, b) => a < b);
  if (c.lessThanOrEqual !== undefined) return compare(values, c.lessThanOrEqual, scope, (a, b) => a <= b);
  if (c.matches !== undefined) {
    const pattern = regex(c.matches);
    // Linear-time matching (pattern.ts) on bounded input: no pattern or value can stall evaluation.
    return values.some((value) => typeof value === 'string' && pattern.test(value.length > maxMatchLength ? value.slice(0, maxMatchLength) : value));
  }
  throw new Error(`condition has no test: ${JSON.stringify(c)}`);
}

function positive(want: unknown, test: (want: unknown) => boolean): Verdict {
  return want === undefined ? undefined : test(want);
}
function negative(want: unknown, test: (want: unknown) => boolean): Verdict {
  return want === undefined ? undefined : !test(want);
}


const operatorText: Record<string, string> = {
  equals: '=', notEquals: '≠', in: 'in', notIn: 'not in', contains: 'contains', notContains: 'does not contain',
  greaterThan: '>', greaterThanOrEqual: '≥', lessThan: '<', lessThanOrEqual: '≤', matches: 'matches',
};

export function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A short human statement of what a condition tests, e.g. `storage_encrypted = true`. */
export function summarize(c: Condition, scope: Scope): string {
  if (c.message) return c.message;
  if (c.anyOf) return `any of (${c.anyOf.map((x) => summarize(x, scope)).join('; ')})`;
  if (c.allOf) return `all of (${c.allOf.map((x) => summarize(x, scope)).join('; ')})`;
  if (c.not) return `not (${summarize(c.not, scope)})`;
  if (c.related) {
    const where = c.related.where ? ` with ${c.related.where.map((x) => summarize(x, scope)).join(', ')}` : '';
    return `a ${[c.related.type].flat().join(' or ')} referring to it via ${c.related.via}${where}`;
  }
  if (c.references) {
    const where = c.references.where ? ` with ${c.references.where.map((x) => summarize(x, scope)).join(', ')}` : '';
    return `${c.references.path} refers to ${c.references.type ? [c.references.type].flat().join(' or ') : 'a resource'}${where}`;
  }
  if (c.some) return `some ${c.path} with ${c.some.map((x) => summarize(x, scope)).join(', ')}`;
  if (c.every) return `every ${c.path} with ${c.every.map((x) => summarize(x, scope)).join(', ')}`;
  if (c.exists) return `${c.path} is set`;
  if (c.absent) return `${c.path} is not set`;
  for (const [key, text] of Object.entries(operatorText)) {
    const raw = (c as Record<string, unknown>)[key];
    if (raw === undefined) continue;
    const value = isOperandReference(key, raw) ? `${formatValue(scope.reference(raw))} (${raw})` : formatValue(raw);
    return `${c.path} ${text} ${value}`;
  }
  return JSON.stringify(c);
}

/** Why a subject is at fault: for assert, the first false condition and the value found; for deny, what matched. */
export type Explanation = { text: string; path?: string; references: string[] };

export function explain(conditions: Condition[], mode: 'assert' | 'deny', subject: unknown, scope: Scope): Explanation {
  if (mode === 'deny') {
    return {
      text: conditions.map((c) => found(c, subject, scope)).join('; '),
      path: conditions.find((c) => c.path && !isReference(c.path))?.path,
      references: conditions.flatMap(referencesIn),
    };
  }
  const failing = conditions.find((c) => evaluateCondition(c, subject, scope) === false) ?? conditions[0];
  const path = conditionPath(failing);
  const shown = failing.path || !path ? failing : { path, exists: true };
  const actual = shown.path && !shown.some && !shown.every && !shown.absent && !(failing.exists && failing === shown) ? found(shown, subject, scope) : undefined;
  return {
    text: `expected ${summarize(failing, scope)}${actual ? ` (found ${actual.replace(/^.*? is /, '')})` : ''}`,
    path,
    references: referencesIn(failing),
  };
}

/** The subject path a condition is about: its own, or the one its parts share (`anyOf: [cpu absent, cpu ≤ 4]` → cpu). */
function conditionPath(c: Condition): string | undefined {
  if (c.path !== undefined) return isReference(c.path) ? undefined : c.path;
  const parts = c.anyOf ?? c.allOf ?? (c.not ? [c.not] : []);
  const paths = new Set(parts.map(conditionPath));
  return paths.size === 1 ? [...paths][0] : undefined;
}

function referencesIn(c: Condition): string[] {
  const own = Object.entries(c).flatMap(([key, value]) => (isOperandReference(key, value) ? [value] : []));
  const parts = c.anyOf ?? c.allOf ?? (c.not ? [c.not] : []);
  return [...own, ...parts.flatMap(referencesIn)];
}

function found(c: Condition, subject: unknown, scope: Scope): string {
  if (!c.path || c.some || c.every) return summarize(c, scope);
  const values = subjectValues(subject, c.path, scope);
  return `${c.path} is ${values.length === 0 ? '(unset)' : values.map(formatValue).join(', ')}`;
}
