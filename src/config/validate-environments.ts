/**
 * Every environment (and the preview shape) is validated at load time, as the config it resolves
 * to. An error that only appears once an override is merged points at the override's line, since
 * that is what the user changed; an error already reported for production is not repeated.
 */
import { crossCheck } from './cross-checks.ts';
import { isPlainObject } from './deep-merge.ts';
import type { PlainObject } from './deep-merge.ts';
import type { LineMap } from './line-map.ts';
import type { Path, Problem } from './problem.ts';
import { placeOf } from './problem.ts';
import { formatPath } from './line-map.ts';
import type { ConfigError } from './errors.ts';
import { mergeOverride, productionEnvironment, withoutPreviewOnlyKeys } from './resolve-environment.ts';
import { PaasConfig } from './schema.ts';
import { closest } from './suggest.ts';
import { issuesToProblems } from './zod-issues.ts';

type Scope = { name: string; prefix: Path; override: PlainObject };

export function validateEnvironments(raw: PlainObject, production: Problem[], lines: LineMap, file: string): ConfigError[] {
  const errors: ConfigError[] = [];
  const seen = new Set(production.map(key));
  const scopes: Scope[] = [];

  if (isPlainObject(raw.environments)) {
    for (const [name, override] of Object.entries(raw.environments)) {
      const prefix: Path = ['environments', name];
      if (name === productionEnvironment) {
        errors.push(at(lines, file, prefix, 'key', '`production` is the top level of the file, not an environment', 'move these settings to the top level'));
        continue;
      }
      if (/^pr-\d+$/.test(name)) {
        errors.push(at(lines, file, prefix, 'key', `\`${name}\` is reserved for pull request previews`, 'shape previews under `previews:`; rename this environment'));
        continue;
      }
      if (isPlainObject(override)) scopes.push({ name, prefix, override });
    }
  }
  if (isPlainObject(raw.previews)) {
    const override = withoutPreviewOnlyKeys(raw.previews) as PlainObject;
    scopes.push({ name: 'previews', prefix: ['previews'], override });
  }

  for (const scope of scopes) {
    const namesOk = checkOverrideNames(raw, scope, lines, file, errors);
    if (!namesOk) continue;
    const merged = mergeOverride(raw, scope.override);
    const parsed = PaasConfig.safeParse(merged);
    const problems = parsed.success ? crossCheck(parsed.data) : issuesToProblems(parsed.error.issues, merged, PaasConfig);
    for (const problem of problems) {
      if (seen.has(key(problem))) continue;
      const error = placeInScope(problem, scope, lines, file);
      const id = `${error.line}:${error.column}:${error.path}:${error.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      errors.push(error);
    }
  }
  errors.push(...checkDomainsAcrossEnvironments(raw, scopes, lines, file));
  return errors;
}

function key(problem: Problem): string {
  return `${formatPath(problem.path)}\u0000${problem.message}`;
}

/** Overrides may only adjust services and resources the top level defines (a typo would otherwise create a half service). */
function checkOverrideNames(raw: PlainObject, scope: Scope, lines: LineMap, file: string, errors: ConfigError[]): boolean {
  let ok = true;
  for (const kind of ['services', 'resources'] as const) {
    const defined = isPlainObject(raw[kind]) ? Object.keys(raw[kind]) : [];
    const override = scope.override[kind];
    if (!isPlainObject(override)) continue;
    for (const name of Object.keys(override)) {
      if (defined.includes(name)) continue;
      ok = false;
      const near = closest(name, defined);
      const noun = kind === 'services' ? 'service' : 'resource';
      errors.push(at(lines, file, [...scope.prefix, kind, name], 'key',
        `${scope.name === 'previews' ? 'previews override' : `environment \`${scope.name}\` overrides`} ${noun} \`${name}\`, which the top level does not define`,
        near ? `did you mean \`${near}\`?` : `overrides adjust existing ${kind}; define \`${name}\` at the top level first`));
    }
  }
  return ok;
}

/** The override's own line when the field (or a related one, or an enclosing one) is in the override; else the top level's. */
function placeInScope(problem: Problem, scope: Scope, lines: LineMap, file: string): ConfigError {
  const candidates = [problem.path, ...(problem.alsoAt ?? [])];
  for (const candidate of candidates) {
    const place = [...scope.prefix, ...candidate];
    if (lines.locate(place)) return errorAt(problem, place, candidate === problem.path ? problem.at ?? 'value' : 'value', place, lines, file);
  }
  for (const candidate of candidates) {
    const nearest = lines.nearest([...scope.prefix, ...candidate]);
    const enclosing = [...scope.prefix, ...candidate].slice(0, nearest.matched);
    if (nearest.matched > scope.prefix.length) return errorAt(problem, enclosing, 'key', [...scope.prefix, ...problem.path], lines, file);
  }
  const where = scope.name === 'previews' ? 'in previews' : `in environment \`${scope.name}\``;
  const location = placeOf(problem.path, problem.at ?? 'value', lines);
  return { file, line: location.line, column: location.column, path: formatPath(problem.path), message: `${where}: ${problem.message}`, ...(problem.hint ? { hint: problem.hint } : {}) };
}

/** `problem` placed at `place` in the file, reported under the field path `reported`. */
function errorAt(problem: Problem, place: Path, mode: 'key' | 'value', reported: Path, lines: LineMap, file: string): ConfigError {
  const location = placeOf(place, mode, lines);
  return { file, line: location.line, column: location.column, path: formatPath(reported), message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) };
}

function at(lines: LineMap, file: string, path: Path, mode: 'key' | 'value', message: string, hint?: string): ConfigError {
  const location = placeOf(path, mode, lines);
  return { file, line: location.line, column: location.column, path: formatPath(path), message, ...(hint ? { hint } : {}) };
}

/** Two environments serving one domain would fight over its DNS record and certificate. */
function checkDomainsAcrossEnvironments(raw: PlainObject, scopes: Scope[], lines: LineMap, file: string): ConfigError[] {
  const errors: ConfigError[] = [];
  const owners = new Map<string, string>();
  if (isPlainObject(raw.services)) {
    for (const [name, service] of Object.entries(raw.services)) {
      const domains = isPlainObject(service) && Array.isArray(service.domains) ? service.domains : [];
      for (const domain of domains) if (typeof domain === 'string') owners.set(domain, `production (services.${name})`);
    }
  }
  for (const scope of scopes) {
    const services = scope.override.services;
    if (!isPlainObject(services)) continue;
    for (const [name, service] of Object.entries(services)) {
      const domains = isPlainObject(service) && Array.isArray(service.domains) ? service.domains : [];
      domains.forEach((domain, index) => {
        if (typeof domain !== 'string') return;
        const path: Path = [...scope.prefix, 'services', name, 'domains', index];
        if (scope.name === 'previews') {
          errors.push(at(lines, file, path, 'value', 'previews cannot set domains: every pull request would claim the same one', 'remove domains from previews; previews get generated URLs'));
          return;
        }
        const owner = owners.get(domain);
        if (owner) errors.push(at(lines, file, path, 'value', `domain ${domain} is already used by ${owner}`, 'each environment needs its own domain, such as staging.example.com'));
        else owners.set(domain, `environment ${scope.name} (services.${name})`);
      });
    }
  }
  return errors;
}
