/**
 * Attribute-level changes between two attribute objects of one resource, with dotted paths, and
 * the redacted copies of both objects. Shared by the Terraform-JSON diff and the
 * `terraform show -json` reader so both redact and flatten the same way.
 */
import { forcesReplacement } from './force-new.ts';
import { REDACTED, redact, type SensitivityContext } from './sensitive.ts';
import { isRecord } from './terraform-json.ts';
import type { AttributeChange } from './types.ts';

export type AttributeDiffInput = SensitivityContext & {
  before: Record<string, unknown> | null | undefined;
  after: Record<string, unknown> | null | undefined;
  /** Terraform's before_sensitive / after_sensitive: `true` or a structure with `true` at sensitive leaves. */
  beforeSensitive?: unknown;
  afterSensitive?: unknown;
  /** Terraform's after_unknown. */
  afterUnknown?: unknown;
  /** Paths Terraform says force replacement (`replace_paths`), dotted. */
  replacePaths?: readonly string[];
  /** Mark changes to force-new attributes from our table (diffs only). */
  inferForceNew?: boolean;
};

export type AttributeDiff = {
  changes: AttributeChange[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

type Walk = {
  ctx: AttributeDiffInput;
  out: AttributeChange[];
};

export function diffAttributes(input: AttributeDiffInput): AttributeDiff {
  const before = input.before ?? null;
  const after = input.after ?? null;
  const redBefore = before === null ? null : (redact(input, before, input.beforeSensitive) as Record<string, unknown>);
  // Unchanged objects (most of a plan) need neither a second redaction nor a walk.
  if (before !== null && after !== null && input.afterUnknown === undefined && input.beforeSensitive === input.afterSensitive && deepEqual(before, after)) {
    return { changes: [], before: redBefore, after: redBefore };
  }
  const redAfter = after === null ? null : (redact(input, after, input.afterSensitive) as Record<string, unknown>);
  // Only a change to an existing object can force its replacement.
  const walk: Walk = { ctx: before !== null && after !== null ? input : { ...input, inferForceNew: false, replacePaths: undefined }, out: [] };
  visit(walk, before ?? undefined, after ?? undefined, redBefore ?? undefined, redAfter ?? undefined, input.afterUnknown, []);
  return { changes: walk.out, before: redBefore, after: redAfter };
}

function visit(w: Walk, b: unknown, a: unknown, rb: unknown, ra: unknown, unknown: unknown, path: string[]): void {
  if (unknown === true) {
    emit(w, b, undefined, rb, undefined, path, true);
    return;
  }
  const sensitiveHere = rb === REDACTED || ra === REDACTED;
  if (!sensitiveHere) {
    if (isRecord(b) || isRecord(a)) {
      if ((b === undefined || isRecord(b)) && (a === undefined || isRecord(a))) {
        const keys = new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})]);
        if (isRecord(unknown)) for (const key of Object.keys(unknown)) keys.add(key);
        let any = false;
        for (const key of keys) {
          if (key === '//') continue;
          any = true;
          visit(w, b?.[key], a?.[key], (rb as Record<string, unknown> | undefined)?.[key], (ra as Record<string, unknown> | undefined)?.[key],
            isRecord(unknown) ? unknown[key] : undefined, [...path, key]);
        }
        if (any || path.length === 0) return;
      }
    } else if (Array.isArray(b) || Array.isArray(a)) {
      const keyed = keyedByName(b, a);
      if (keyed) {
        // Lists of named entries (container definitions, env vars): matched by name, so an
        // insertion shows as one added entry rather than every later entry shifting.
        for (const [name, ib, ia] of keyed) {
          visit(w, ib === undefined ? undefined : (b as unknown[])[ib], ia === undefined ? undefined : (a as unknown[])[ia],
            ib === undefined ? undefined : (rb as unknown[] | undefined)?.[ib], ia === undefined ? undefined : (ra as unknown[] | undefined)?.[ia],
            ia !== undefined && Array.isArray(unknown) ? unknown[ia] : undefined, [...path, name]);
        }
        return;
      }
      if ((b === undefined || Array.isArray(b)) && (a === undefined || Array.isArray(a))) {
        const length = Math.max(b?.length ?? 0, a?.length ?? 0, Array.isArray(unknown) ? unknown.length : 0);
        for (let i = 0; i < length; i++) {
          visit(w, b?.[i], a?.[i], (rb as unknown[] | undefined)?.[i], (ra as unknown[] | undefined)?.[i],
            Array.isArray(unknown) ? unknown[i] : undefined, [...path, String(i)]);
        }
        if (length > 0) return;
      }
    }
  }
  if (deepEqual(b, a)) return;
  emit(w, b, a, rb, ra, path, false);
}

function emit(w: Walk, b: unknown, a: unknown, rb: unknown, ra: unknown, path: string[], unknownAfter: boolean): void {
  if (path.length === 0) return;
  const dotted = path.join('.');
  const sensitive = rb === REDACTED || ra === REDACTED || containsRedacted(rb) || containsRedacted(ra);
  const change: AttributeChange = {
    path: dotted,
    before: sensitive ? (b === undefined || b === null ? b : REDACTED) : rb,
    after: unknownAfter ? undefined : sensitive ? (a === undefined || a === null ? a : REDACTED) : ra,
    sensitive,
  };
  if (unknownAfter) change.unknownAfter = true;
  const replacePaths = w.ctx.replacePaths;
  if (replacePaths?.some((p) => dotted === p || dotted.startsWith(`${p}.`) || p.startsWith(`${dotted}.`))) change.forcesReplacement = true;
  else if (w.ctx.inferForceNew && forcesReplacement(w.ctx.type, dotted)) change.forcesReplacement = true;
  w.out.push(change);
}

/** When both sides are lists of objects with distinct string `name`s: [name, index before, index after], after's order first. */
function keyedByName(b: unknown, a: unknown): [string, number | undefined, number | undefined][] | undefined {
  if (!Array.isArray(b) || !Array.isArray(a) || b.length === 0 || a.length === 0) return undefined;
  const index = (list: unknown[]): Map<string, number> | undefined => {
    const out = new Map<string, number>();
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!isRecord(item) || typeof item.name !== 'string' || /^\d+$/.test(item.name) || out.has(item.name)) return undefined;
      out.set(item.name, i);
    }
    return out;
  };
  const before = index(b);
  const after = before && index(a);
  if (!before || !after) return undefined;
  const out: [string, number | undefined, number | undefined][] = [];
  for (const [name, ia] of after) out.push([name, before.get(name), ia]);
  for (const [name, ib] of before) if (!after.has(name)) out.push([name, ib, undefined]);
  return out;
}

function containsRedacted(value: unknown): boolean {
  if (value === REDACTED) return true;
  if (Array.isArray(value)) return value.some(containsRedacted);
  if (isRecord(value)) return Object.values(value).some(containsRedacted);
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a).filter((k) => k !== '//' && a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => k !== '//' && b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const key of ka) if (!deepEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}
