/**
 * The public entry of the `paas.yaml` loader. Everything other modules need comes from here:
 *
 *   parseConfigText(text, file)  one file's text → { ok, config, locate } | { ok: false, errors }
 *   loadApps(dir, deps?)         every paas.yaml under a directory (monorepo: one app each)
 *   loadAppsFromFiles(files)     the same from an in-memory map of path → content (git)
 *   resolveEnvironment(config, env)  production | a named environment | pr-<n>
 *   formatConfigError(error)     `file:line:col: field: message (hint)`
 */
export type { ParseResult } from './parse-config.ts';
export { parseConfigText } from './parse-config.ts';
export type { ConfigError } from './errors.ts';
export { formatConfigError, UnknownEnvironmentError } from './errors.ts';
export type { FieldPath, LineMap, Location } from './line-map.ts';
export type { LoadedApp, LoadDeps, LoadResult } from './load-apps.ts';
export { configFileName, fileTooLargeError, isConfigPath, loadApps, loadAppsFromFiles } from './load-apps.ts';
export { limits } from './parse-yaml.ts';
export {
  environmentNames,
  isPreviewEnvironment,
  previewEnvironmentName,
  previewNumber,
  productionEnvironment,
  resolveEnvironment,
} from './resolve-environment.ts';
export { outputsByType } from './references.ts';
