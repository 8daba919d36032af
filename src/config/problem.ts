/**
 * A problem found in the data (by the schema or a cross-field check), before it has a place in the
 * file. `locateProblem` gives it one: the key for unknown keys, the value for wrong values, the
 * nearest enclosing field for missing ones.
 */
import type { ConfigError } from './errors.ts';
import type { LineMap, Location } from './line-map.ts';
import { formatPath } from './line-map.ts';

export type Path = (string | number)[];

export type Problem = {
  path: Path;
  message: string;
  hint?: string;
  /** Point at the key (unknown key, bad name) rather than the value. */
  at?: 'key' | 'value';
  /** Other fields involved (a cpu/memory pair): used to place the error where the user changed something. */
  alsoAt?: Path[];
};

export function locateProblem(problem: Problem, lines: LineMap, file: string): ConfigError {
  const location = placeOf(problem.path, problem.at ?? 'value', lines);
  return {
    file,
    line: location.line,
    column: location.column,
    path: formatPath(problem.path),
    message: problem.message,
    ...(problem.hint ? { hint: problem.hint } : {}),
  };
}

export function placeOf(path: Path, at: 'key' | 'value', lines: LineMap): Location {
  const exact = at === 'key' ? lines.locate(path) : lines.locateValue(path);
  return exact ?? lines.nearest(path).location;
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** `a string "x"`, `a number 5`, `a list`, `a mapping`: what the user wrote, in YAML words. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}
