/**
 * One environment's view of a config: `production` is the top level; a named environment is
 * `environments[name]` deep-merged over it; `pr-<number>` is a preview, shaped by `previews`.
 * The loader has already validated every environment, so this does not fail for a loaded config.
 */
import { deepMerge } from './deep-merge.ts';
import type { PlainObject } from './deep-merge.ts';
import { UnknownEnvironmentError } from './errors.ts';
import type { EnvironmentOverride, ResolvedConfig } from './schema.ts';
import { PaasConfig, previewOnlyKeys } from './schema.ts';

export const productionEnvironment = 'production';
const previewPattern = /^pr-(\d+)$/;

export function isPreviewEnvironment(environment: string): boolean {
  return previewPattern.test(environment);
}

/** `pr-42` → 42. */
export function previewNumber(environment: string): number | undefined {
  const match = previewPattern.exec(environment);
  return match ? Number(match[1]) : undefined;
}

export function previewEnvironmentName(pullRequest: number): string {
  return `pr-${pullRequest}`;
}

/** `production` and every named environment, in file order (previews are not listed: they are per pull request). */
export function environmentNames(config: PaasConfig): string[] {
  return [productionEnvironment, ...Object.keys(config.environments ?? {})];
}

/** The override block (raw, unvalidated fields) for an environment; undefined for production. */
export function overrideFor(config: PaasConfig, environment: string): EnvironmentOverride | undefined {
  if (environment === productionEnvironment) return undefined;
  if (isPreviewEnvironment(environment)) {
    if (!config.previews?.enabled) {
      throw new UnknownEnvironmentError(environment, environmentNames(config), `no preview environment "${environment}": previews are not enabled in this config (previews: { enabled: true })`);
    }
    return withoutPreviewOnlyKeys(config.previews) as EnvironmentOverride;
  }
  const override = Object.hasOwn(config.environments ?? {}, environment) ? config.environments[environment] : undefined;
  if (!override) {
    const known = environmentNames(config);
    throw new UnknownEnvironmentError(environment, known, `unknown environment "${environment}": known environments are ${known.join(', ')}${config.previews?.enabled ? ', and pr-<number> for previews' : ''}`);
  }
  return override;
}

/** The `previews` block less what is about previews rather than their shape (enabled, ttl, caps). */
export function withoutPreviewOnlyKeys<T extends object>(previews: T): Partial<T> {
  const override = { ...previews } as Record<string, unknown>;
  for (const key of previewOnlyKeys) delete override[key];
  return override as Partial<T>;
}

/** The top level with an override merged over it (no `environments`/`previews` in the result). Used by the loader on raw data too. */
export function mergeOverride(top: PlainObject, override: PlainObject): PlainObject {
  const { environments: _e, previews: _p, ...base } = top;
  return deepMerge(base, override);
}

export function resolveEnvironment(config: PaasConfig, environment: string): ResolvedConfig {
  const override = overrideFor(config, environment);
  if (!override) return { ...config, environment };
  const merged = mergeOverride(config as unknown as PlainObject, override as PlainObject);
  const parsed = PaasConfig.safeParse(merged);
  if (!parsed.success) {
    // Only reachable for a config that did not come through the loader (which checks every environment).
    const issue = parsed.error.issues[0];
    throw new Error(`environment "${environment}" does not resolve to a valid config at ${issue.path.join('.')}: ${issue.message}`);
  }
  return { ...parsed.data, environments: config.environments, ...(config.previews ? { previews: config.previews } : {}), environment };
}

