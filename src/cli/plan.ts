/**
 * `slipway plan [dir] [--env NAME] [--base DIR|REF|FILE] [--format markdown|json|text]
 *   [--terraform-plan FILE] [--no-policies] [--sha SHA] [--usage FILE]`
 *
 * Every app under `dir` is loaded, synthesized for the environment, diffed against the base
 * (nothing: everything is a create; another directory; a git ref of the repository holding `dir`;
 * or a saved Terraform JSON document), costed, checked by the built-in policies, and rendered.
 * `--format markdown` prints exactly the PR comment. `--terraform-plan` renders a real
 * `terraform show -json` document instead of a diff.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { formatConfigError, loadApps, loadAppsFromFiles, resolveEnvironment, UnknownEnvironmentError, type LoadedApp, type LoadResult } from '../config/load.ts';
import type { CostUsage } from '../cost/estimate-cost.ts';
import { estimateCostDiff } from '../evaluate/estimate-cost-diff.ts';
import { PlanInputError } from '../plan/plan-input-error.ts';
import { planToTerraformJson } from '../plan/plan-to-terraform-json.ts';
import { readTerraformJson } from '../plan/read-terraform-json.ts';
import { readTerraformPlan } from '../plan/read-terraform-plan.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { PolicySet } from '../policy/index.ts';
import type { PolicyResult } from '../policy/types.ts';
import { renderComment } from '../report/render-comment.ts';
import { renderJson } from '../report/render-json.ts';
import { renderText } from '../report/render-text.ts';
import { reportEvaluations } from '../report/report-evaluations.ts';
import type { ReportApp } from '../report/report-input.ts';
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway plan [dir] [--env NAME] [--base DIR|REF|FILE] [--format markdown|json|text]
                   [--terraform-plan FILE] [--no-policies] [--sha SHA] [--usage FILE]
`;

/** A one-line failure for the user; mapped to exit code 1 in `run`. */
class CliFailure extends Error {}

type Options = { cwd: string; dir: string; dirArg: string; env: string; base?: string; format: 'markdown' | 'json' | 'text'; sha?: string; policies: boolean; usage?: CostUsage };

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'plan',
    args,
    {
      env: { type: 'string', default: 'production' },
      base: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      'terraform-plan': { type: 'string' },
      policies: { type: 'boolean', default: true },
      'no-policies': { type: 'boolean', default: false },
      sha: { type: 'string' },
      usage: { type: 'string' },
    },
    usage,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.stderr(`slipway plan: unexpected argument "${positionals[1]}"\n${usage}`);
    return 2;
  }
  const format = values.format;
  if (format !== 'markdown' && format !== 'json' && format !== 'text') {
    io.stderr(`slipway plan: --format must be markdown, json or text, not "${format}"\n`);
    return 2;
  }
  const dirArg = positionals[0] ?? '.';
  try {
    const options: Options = {
      cwd: io.cwd,
      dir: resolve(io.cwd, dirArg),
      dirArg,
      env: values.env!,
      base: values.base,
      format,
      sha: values.sha,
      policies: values.policies !== false && !values['no-policies'],
      usage: values.usage === undefined ? undefined : readUsage(resolve(io.cwd, values.usage), values.usage),
    };
    const report = values['terraform-plan'] !== undefined
      ? await fromTerraformPlan(options, resolve(io.cwd, values['terraform-plan']), values['terraform-plan'])
      : await fromConfig(options, io);
    const input = { apps: report.apps, headSha: options.sha ?? headCommit(options.dir) ?? 'the working tree', policies: report.policies, notes: report.notes };
    io.stdout(format === 'markdown' ? renderComment(input) : format === 'json' ? renderJson(input) : renderText(input));
    return 0;
  } catch (error) {
    // The one place errors become messages: known kinds by class, anything else by its message.
    if (error instanceof CliFailure || error instanceof PlanInputError) io.stderr(`slipway plan: ${error.message}\n`);
    else io.stderr(`slipway plan: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

type Built = { apps: ReportApp[]; policies?: PolicyResult[]; notes: string[] };

/** Every app through evaluateApp, the one per-app evaluation the service runs too. */
async function fromConfig(o: Options, io: CliIo): Promise<Built> {
  const head = await load(o.dir, o.dirArg);
  const base = o.base === undefined ? undefined : await loadBase(o);
  const { evaluateApp, synthesizeApp } = await import('../evaluate/evaluate-app.ts');
  const policies = o.policies ? await loadPolicySet(o.dir, io) : undefined;
  const sha = o.sha ?? 'latest';
  const notes: string[] = [];
  const evaluations = [];
  for (const app of head.apps) {
    let before: TerraformJson | null = null;
    if (base?.kind === 'json') before = base.doc;
    else if (base?.kind === 'apps') {
      // The base is synthesized at the same sha: the plan shows what the configuration changes.
      const match = base.apps.find((b) => b.file === app.file) ?? base.apps.find((b) => b.config.name === app.config.name);
      if (match) before = inEnvironment(match, () => synthesizeApp({ app: match, environment: o.env, sha }).terraform);
      else notes.push(`${app.config.name}: not in the base, so everything is new`);
    }
    evaluations.push(inEnvironment(app, () => evaluateApp({ app, environment: o.env, sha, base: before, policies, usage: o.usage, file: join(o.dirArg, app.file) })));
  }
  if (base?.kind === 'apps') {
    for (const gone of base.apps.filter((b) => !head.apps.some((a) => a.file === b.file || a.config.name === b.config.name))) {
      notes.push(`${gone.config.name} (${gone.file}) is in the base but no longer here: its resources are not destroyed by removing the file`);
    }
  }
  const report = reportEvaluations(evaluations);
  return { apps: report.apps, policies: policies ? report.policies : undefined, notes: [...notes, ...report.notes] };
}

async function fromTerraformPlan(o: Options, path: string, label: string): Promise<Built> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read --terraform-plan ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const plan = readTerraformPlan(text, label);
  let name = basename(label).replace(/\.json$/, '');
  let region = 'us-east-1';
  if (existsSync(join(o.dir, 'paas.yaml')) || o.dirArg !== '.') {
    const loaded = await load(o.dir, o.dirArg).catch(() => undefined);
    const app = loaded?.apps[0];
    if (app) {
      name = app.config.name;
      region = inEnvironment(app, () => resolveEnvironment(app.config, o.env)).region;
    }
  }
  const { costDiff, note } = estimateCostDiff({ base: planToTerraformJson(plan, 'before'), desired: planToTerraformJson(plan, 'after'), region, usage: o.usage });
  return { apps: [{ name, environment: o.env, plan, cost: costDiff }], notes: note ? [`${name}: ${note}`] : [] };
}

async function load(dir: string, dirArg: string): Promise<LoadResult> {
  let loaded: LoadResult;
  try {
    loaded = await loadApps(dir);
  } catch (error) {
    throw new CliFailure(`cannot read ${dirArg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (loaded.errors.length > 0) throw new CliFailure(`\n${loaded.errors.map((e) => formatConfigError({ ...e, file: join(dirArg, e.file) })).join('\n')}`);
  if (loaded.apps.length === 0) throw new CliFailure(`no paas.yaml under ${dirArg}`);
  return loaded;
}

/** An environment the app does not define is the user's mistake, said with the file. */
function inEnvironment<T>(app: LoadedApp, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) throw new CliFailure(`${app.file}: ${error.message}`);
    throw error;
  }
}

type Base = { kind: 'json'; doc: TerraformJson } | { kind: 'apps'; apps: LoadedApp[] };

/** `--base` is a directory, a file (saved Terraform JSON), or else a git ref of the repository holding `dir`. */
async function loadBase(o: Options): Promise<Base> {
  const arg = o.base!;
  const candidate = resolve(o.cwd, arg);
  if (existsSync(candidate)) {
    if (statSync(candidate).isDirectory()) {
      const loaded = await load(candidate, arg);
      return { kind: 'apps', apps: loaded.apps };
    }
    let text: string;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch (error) {
      throw new CliFailure(`cannot read --base ${arg}: ${(error as Error).message}`);
    }
    return { kind: 'json', doc: readTerraformJson(text, arg) };
  }
  return { kind: 'apps', apps: loadFromGit(o.dir, arg) };
}

/** The commit `dir` is checked out at, for "Built from"; undefined outside a repository. */
function headCommit(dir: string): string | undefined {
  try {
    const sha = git(dir, ['rev-parse', 'HEAD']).trim();
    const dirty = git(dir, ['status', '--porcelain', '--', '.']).trim() !== '';
    return dirty ? `${sha} (with local changes)` : sha;
  } catch {
    return undefined;
  }
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function loadFromGit(dir: string, ref: string): LoadedApp[] {
  let top: string;
  try {
    top = git(dir, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new CliFailure(`--base ${ref}: not a directory or file, and ${dir} is not inside a git repository`);
  }
  try {
    git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new CliFailure(`--base ${ref}: not a directory, a file, or a git ref of this repository`);
  }
  const prefix = relative(top, dir).split('\\').join('/');
  const listed = git(top, ['ls-tree', '-r', '--name-only', ref, '--', prefix === '' ? '.' : prefix]).split('\n').filter(Boolean);
  const files = new Map<string, string>();
  for (const path of listed) {
    if (basename(path) !== 'paas.yaml') continue;
    const relativePath = prefix === '' ? path : path.slice(prefix.length + 1);
    files.set(relativePath, git(top, ['show', `${ref}:${path}`]));
  }
  const loaded = loadAppsFromFiles(files);
  if (loaded.errors.length > 0) {
    throw new CliFailure(`--base ${ref}: the paas.yaml files at that ref are invalid:\n${loaded.errors.map((e) => formatConfigError({ ...e, file: `${ref}:${e.file}` })).join('\n')}`);
  }
  return loaded.apps;
}

function readUsage(path: string, label: string): CostUsage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliFailure(`cannot read --usage ${label}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliFailure(`--usage ${label}: expected an object keyed by address, component or "*"`);
  return parsed as CostUsage;
}

/** The built-in rules, the server folder (`SLIPWAY_POLICY_DIR`) and `<dir>/.slipway/policies`, when present. */
async function loadPolicySet(dir: string, io: CliIo): Promise<PolicySet> {
  const policy = await import('../policy/index.ts');
  let server;
  let repository;
  try {
    if (io.env.SLIPWAY_POLICY_DIR) server = policy.loadServerPolicies(resolve(io.cwd, io.env.SLIPWAY_POLICY_DIR));
    const repoDir = join(dir, policy.repositoryPolicyDir);
    if (existsSync(repoDir)) repository = policy.loadPolicyFiles(policy.readPolicyFolder(repoDir), 'repo');
  } catch (error) {
    throw new CliFailure(`cannot load policies: ${(error as Error).message}`);
  }
  const set = policy.combinePolicies({ builtin: policy.builtinRules(), server, repository });
  if (set.errors.length > 0) throw new CliFailure(`\n${set.errors.map(policy.formatPolicyError).join('\n')}`);
  return set;
}
