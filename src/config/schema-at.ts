/**
 * Walks the zod schema along a field path, following the data (a discriminated union picks the
 * option named by `type`), to learn what is allowed there: the keys of an object, the options of
 * an enum, the description for a hint.
 */
import type { z } from 'zod';

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Optional, default, nullable, readonly, pipe (input side): the schema underneath. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let guard = 0; guard < 20; guard += 1) {
    const def = defOf(current);
    if (['optional', 'default', 'nullable', 'readonly', 'prefault', 'nonoptional', 'catch'].includes(def.type)) current = def.innerType as z.ZodType;
    else if (def.type === 'pipe') current = def.in as z.ZodType;
    else break;
  }
  return current;
}

/** The schemas that may apply at `path` for this data (several for a plain union). */
export function schemasAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodType[] {
  let current: { schema: z.ZodType; value: unknown }[] = [{ schema: root, value: data }];
  for (const segment of path) {
    const next: { schema: z.ZodType; value: unknown }[] = [];
    for (const { schema, value } of current) {
      for (const option of expand(schema, value)) {
        const def = defOf(option);
        const child = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
        if (def.type === 'object') {
          const shape = def.shape as Record<string, z.ZodType>;
          if (typeof segment === 'string' && Object.hasOwn(shape, segment)) next.push({ schema: shape[segment], value: child });
        } else if (def.type === 'record') next.push({ schema: def.valueType as z.ZodType, value: child });
        else if (def.type === 'array' && typeof segment === 'number') next.push({ schema: def.element as z.ZodType, value: child });
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current.flatMap(({ schema, value }) => expand(schema, value));
}

/** Unions opened up (a discriminated union to the option the data names, when it names one). */
function expand(schema: z.ZodType, value: unknown): z.ZodType[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type !== 'union') return [inner];
  const options = (def.options as z.ZodType[]).map(unwrap);
  const discriminator = def.discriminator as string | undefined;
  if (discriminator && value && typeof value === 'object') {
    const wanted = (value as Record<string, unknown>)[discriminator];
    const match = options.filter((o) => literalValues(o, discriminator).includes(wanted));
    if (match.length > 0) return match.flatMap((o) => expand(o, value));
  }
  return options.flatMap((o) => expand(o, value));
}

function literalValues(option: z.ZodType, key: string): unknown[] {
  const def = defOf(option);
  if (def.type !== 'object') return [];
  const field = (def.shape as Record<string, z.ZodType>)[key];
  if (!field) return [];
  const fieldDef = defOf(unwrap(field));
  return fieldDef.type === 'literal' ? (fieldDef.values as unknown[]) : [];
}

/** Keys allowed at `path` (for "did you mean"). */
export function keysAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path, data)) {
    const def = defOf(schema);
    if (def.type === 'object') for (const key of Object.keys(def.shape as object)) keys.add(key);
  }
  return [...keys];
}

/** The description of the field at `path`, for a hint: on the field as declared in its object (outside `.optional()`), else on the schema itself. */
export function descriptionAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): string | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    for (const parent of schemasAt(root, path.slice(0, -1), data)) {
      const def = defOf(parent);
      if (def.type !== 'object') continue;
      const field = (def.shape as Record<string, z.ZodType>)[last];
      const text = field?.description ?? (field ? unwrap(field).description : undefined);
      if (text) return text;
    }
  }
  for (const schema of schemasAt(root, path, data)) if (schema.description) return schema.description;
  return undefined;
}
