/**
 * The `paas.yaml` loader: text → a typed config, or every problem located in the file.
 *
 *   1. parse the YAML as untrusted input           (parse-yaml.ts)
 *   2. check it against the schema                 (schema.ts, zod-issues.ts)
 *   3. check what spans fields                     (cross-checks.ts)
 *   4. check every environment as it resolves      (validate-environments.ts)
 *
 * Pure: no I/O. `loadApps` (load-apps.ts) finds and reads the files; `load.ts` is the public entry.
 */
import type { ConfigError } from './errors.ts';
import { compareConfigErrors } from './errors.ts';
import { crossCheck } from './cross-checks.ts';
import type { PlainObject } from './deep-merge.ts';
import type { FieldPath, LineMap, Location } from './line-map.ts';
import { parseYaml } from './parse-yaml.ts';
import type { Problem } from './problem.ts';
import { locateProblem } from './problem.ts';
import { PaasConfig } from './schema.ts';
import { validateEnvironments } from './validate-environments.ts';
import { issuesToProblems } from './zod-issues.ts';

export type ParseResult =
  | { ok: true; config: PaasConfig; lines: LineMap; locate: (path: FieldPath) => Location | undefined }
  | { ok: false; errors: ConfigError[] };

export function parseConfigText(text: string, file: string): ParseResult {
  const yaml = parseYaml(text, file);
  if (!yaml.ok) return yaml;
  const { lines } = yaml;
  const raw = yaml.value as PlainObject;

  const parsed = PaasConfig.safeParse(raw);
  const problems: Problem[] = parsed.success ? crossCheck(parsed.data) : issuesToProblems(parsed.error.issues, raw, PaasConfig);
  const errors = problems.map((problem) => locateProblem(problem, lines, file));
  errors.push(...validateEnvironments(raw, problems, lines, file));

  if (errors.length > 0 || !parsed.success) return { ok: false, errors: capped(dedupe(errors).sort(compareConfigErrors), file) };
  return { ok: true, config: parsed.data, lines, locate: (path) => lines.locate(path) };
}

/** Errors reported per file; past this the rest are counted, not listed (hostile files can have thousands). */
export const maxErrorsPerFile = 100;

function capped(errors: ConfigError[], file: string): ConfigError[] {
  if (errors.length <= maxErrorsPerFile) return errors;
  const last = errors[maxErrorsPerFile - 1];
  return [
    ...errors.slice(0, maxErrorsPerFile),
    { file, line: last.line, column: last.column, path: '', message: `${errors.length - maxErrorsPerFile} more errors not shown`, hint: 'fix these first' },
  ];
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const id = `${e.line}:${e.column}:${e.path}:${e.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
