/**
 * Where rules come from: the built-in packs, the server's policy folder (`SLIPWAY_POLICY_DIR`) and
 * a repository's default branch (`.slipway/policies/*.yaml`). For a pull request the rules come
 * only from the default branch and the server — never from the PR head, so a PR cannot weaken
 * the rules that judge it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPolicyFiles } from '../../policies/builtin.ts';
import { formatPolicyError, loadPolicyFiles, type LoadedPolicies, type PolicyFileError, type PolicyOverride } from './load-policy-files.ts';
import type { PolicyRule } from './rule-schema.ts';

export type PolicySet = {
  rules: PolicyRule[];
  /** Values for `$params.<name>`, merged: built-in defaults < repository < server. */
  params: Record<string, unknown>;
  errors: PolicyFileError[];
};

export class PolicyLoadError extends Error {
  readonly code = 'POLICY_LOAD_FAILED';
  constructor(message: string, readonly errors: PolicyFileError[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyLoadError';
  }
}

/** The repository folder whose `*.yaml` / `*.yml` files hold its own rules (read from the default branch). */
export const repositoryPolicyDir = '.slipway/policies';

let builtinCache: PolicyRule[] | undefined;

/** The built-in packs' rules. A broken built-in file is a bug in Slipway: it throws. */
export function builtinRules(): PolicyRule[] {
  if (!builtinCache) {
    const loaded = loadPolicyFiles(builtinPolicyFiles(), 'builtin');
    if (loaded.errors.length > 0) throw new PolicyLoadError(`built-in policies are invalid:\n${loaded.errors.map(formatPolicyError).join('\n')}`, loaded.errors);
    builtinCache = loaded.rules;
  }
  return builtinCache;
}

/** Reads every `*.yaml` / `*.yml` file of a folder (not recursive) into path → text. */
export function readPolicyFolder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    if (/\.ya?ml$/.test(name)) files.set(join(dir, name), readFileSync(join(dir, name), 'utf8'));
  }
  return files;
}

/**
 * The server's own policy folder. Throws `PolicyLoadError` when the folder cannot be read or any
 * file in it is invalid: a server that cannot load its guardrails must refuse to start rather
 * than run without them.
 */
export function loadServerPolicies(dir: string): LoadedPolicies {
  let files: Map<string, string>;
  try {
    files = readPolicyFolder(dir);
  } catch (error) {
    throw new PolicyLoadError(`cannot read the server policy folder ${dir} (SLIPWAY_POLICY_DIR): ${(error as Error).message}`, [], { cause: error });
  }
  const loaded = loadPolicyFiles(files, 'server');
  if (loaded.errors.length > 0) {
    throw new PolicyLoadError(
      `the server policy folder ${dir} (SLIPWAY_POLICY_DIR) has ${loaded.errors.length} error(s):\n${loaded.errors.map(formatPolicyError).join('\n')}`,
      loaded.errors,
    );
  }
  return loaded;
}

export function isRepositoryPolicyFile(path: string): boolean {
  const normalised = path.replace(/^\.?\//, '');
  return normalised.startsWith(`${repositoryPolicyDir}/`) && /^[^/]+\.ya?ml$/.test(normalised.slice(repositoryPolicyDir.length + 1));
}

/** The changed paths of a PR that are policy files: the comment then says the PR is judged by the rules before its change. */
export function policyFilesChangedInPr(changedPaths: string[]): string[] {
  return [...new Set(changedPaths.filter(isRepositoryPolicyFile))].sort();
}

export function policyChangeNotice(editedPolicyFiles: string[]): string | undefined {
  if (editedPolicyFiles.length === 0) return undefined;
  return `This PR edits policy files (${editedPolicyFiles.join(', ')}); it is judged by the rules before its change. The new rules apply once it is merged.`;
}

/**
 * Combines sources into the rules to evaluate. Precedence: a server rule replaces a built-in one
 * with the same id; a repository rule may not reuse a built-in or server id (an error). Only the
 * server may override (re-grade or disable) other rules; `overrides:` in a repository file is an
 * error. Params: built-in defaults < repository < server.
 */
export function combinePolicies(parts: { builtin: PolicyRule[]; server?: LoadedPolicies; repository?: LoadedPolicies }): PolicySet {
  const errors: PolicyFileError[] = [...(parts.server?.errors ?? []), ...(parts.repository?.errors ?? [])];
  const byId = new Map<string, PolicyRule>();
  for (const rule of parts.builtin) byId.set(rule.id, rule);
  for (const rule of parts.server?.rules ?? []) byId.set(rule.id, rule);
  for (const rule of parts.repository?.rules ?? []) {
    const existing = byId.get(rule.id);
    if (existing) {
      errors.push({ ...(rule.definedAt ?? { file: rule.source.replace(/^repo:/, ''), line: 1, column: 1 }), path: 'rules', message: `rule id "${rule.id}" is already defined by ${existing.source}; choose another id (a repository cannot replace built-in or server rules)` });
      continue;
    }
    byId.set(rule.id, rule);
  }
  for (const override of parts.repository?.overrides ?? []) {
    errors.push({ ...(override.definedAt ?? { file: override.source.replace(/^repo:/, ''), line: 1, column: 1 }), path: 'overrides', message: `overrides of "${override.id}" ignored: only the server policy folder may re-grade or disable rules` });
  }
  applyOverrides(byId, parts.server?.overrides ?? []);
  return {
    rules: [...byId.values()],
    params: { ...parts.repository?.params, ...parts.server?.params },
    errors,
  };
}

function applyOverrides(byId: Map<string, PolicyRule>, overrides: PolicyOverride[]): void {
  for (const override of overrides) {
    const rule = byId.get(override.id);
    if (!rule) continue;
    if (override.enabled === false) byId.delete(override.id);
    else if (override.severity) byId.set(override.id, { ...rule, severity: override.severity });
  }
}

/**
 * The rules for a pull request: built-in + server + the repository's policy files read from the
 * DEFAULT BRANCH. There is deliberately no parameter for the PR head's files. `changedPaths` (the
 * PR's changed files) only produces the notice that the PR edits policy files.
 */
export function rulesForPullRequest(input: {
  builtin: PolicyRule[];
  server?: LoadedPolicies;
  /** Path → text of the repository's files at the default branch head (non-policy paths are ignored). */
  defaultBranchFiles: Map<string, string>;
  changedPaths?: string[];
}): PolicySet & { editedPolicyFiles: string[]; notice?: string } {
  const policyFiles = new Map([...input.defaultBranchFiles].filter(([path]) => isRepositoryPolicyFile(path)));
  const set = combinePolicies({ builtin: input.builtin, server: input.server, repository: loadPolicyFiles(policyFiles, 'repo') });
  const editedPolicyFiles = policyFilesChangedInPr(input.changedPaths ?? []);
  const notice = policyChangeNotice(editedPolicyFiles);
  return { ...set, editedPolicyFiles, ...(notice ? { notice } : {}) };
}
