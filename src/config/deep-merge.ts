/**
 * How an environment override applies: mappings merge key by key, recursively; lists and single
 * values replace; `null` removes the field (so `autoscaling: null` turns it off in one environment).
 */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const out: PlainObject = {};
  for (const [key, value] of Object.entries(base)) define(out, key, value);
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      define(out, key, deepMerge(out[key] as PlainObject, value));
    } else {
      define(out, key, value);
    }
  }
  return out;
}

/** Plain assignment to `__proto__` would set the prototype; YAML keys are data, never that. */
function define(target: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
