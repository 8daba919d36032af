/**
 * `slipway policy check [dir] [--env NAME] [--policies DIR] [--base FILE] [--format text|json]`:
 * every app under `dir` is loaded, synthesized for the environment, planned (against `--base`, a
 * saved Terraform JSON document, or from nothing), costed, and judged by the built-in rules, the
 * server folder (`SLIPWAY_POLICY_DIR`) and the repository's rules (`--policies`, by default
 * `<dir>/.slipway/policies`). Exit 1 when an error-level rule fails or a rule cannot be evaluated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatConfigError, loadApps, resolveEnvironment, type LoadedApp } from '../config/load.ts';
import { diffCost } from '../cost/diff-cost.ts';
import { estimateCost } from '../cost/estimate-cost.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import { diffTerraform } from '../plan/diff-terraform.ts';
import {
  builtinRules, combinePolicies, evaluatePolicies, formatPolicyError, loadPolicyFiles, loadServerPolicies,
  isBlocking, PolicyLoadError, readPolicyFolder, summarizePolicyResults, repositoryPolicyDir, type LoadedPolicies, type PolicyResult, type PolicySet,
} from '../policy/index.ts';
import { componentOf } from '../synth/component-of.ts';
import { synthesizeLazily } from '../synth/synthesize-lazily.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = 'Usage: slipway policy check [dir] [--env NAME] [--policies DIR] [--base FILE] [--format text|json]\n';

type AppReport = { app: string; file: string; environment: string; results: PolicyResult[]; notes: string[] };

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'policy',
    args,
    {
      env: { type: 'string', default: 'production' },
      policies: { type: 'string' },
      base: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    usage,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, dirArg = '.', ...extra] = positionals;
  if (sub !== 'check' || extra.length > 0) {
    io.stderr(`slipway policy: ${sub === undefined ? 'missing subcommand' : sub === 'check' ? `unexpected argument "${extra[0]}"` : `unknown subcommand "${sub}"`}\n${usage}`);
    return 2;
  }
  if (values.format !== 'text' && values.format !== 'json') {
    io.stderr(`slipway policy: --format must be text or json, not "${values.format}"\n`);
    return 2;
  }
  const dir = resolve(io.cwd, dirArg);

  const policies = loadRules(dir, values.policies === undefined ? undefined : resolve(io.cwd, values.policies), io);
  if (typeof policies === 'number') return policies;

  const loaded = await loadApps(dir).catch((error: Error) => error);
  if (loaded instanceof Error) {
    io.stderr(`slipway policy: cannot read ${dirArg}: ${loaded.message}\n`);
    return 1;
  }
  if (loaded.errors.length > 0) {
    io.stderr(loaded.errors.map((error) => `${formatConfigError({ ...error, file: join(dirArg, error.file) })}\n`).join(''));
    return 1;
  }
  if (loaded.apps.length === 0) {
    io.stderr(`slipway policy: no paas.yaml under ${dirArg}\n`);
    return 1;
  }

  let base: TerraformJson | null = null;
  if (values.base !== undefined) {
    try {
      base = JSON.parse(readFileSync(resolve(io.cwd, values.base), 'utf8')) as TerraformJson;
    } catch (error) {
      io.stderr(`slipway policy: cannot read --base ${values.base}: ${(error as Error).message}\n`);
      return 1;
    }
  }

  const reports: AppReport[] = [];
  for (const app of loaded.apps) {
    const report = await checkApp(app, values.env!, base, policies, dirArg);
    if (typeof report === 'string') {
      io.stderr(`slipway policy: ${report}\n`);
      return 1;
    }
    reports.push(report);
  }

  if (values.format === 'json') {
    const apps = reports.map((report) => {
      const summary = summarizePolicyResults(report.results);
      return { ...report, conclusion: summary.conclusion, blocking: summary.blocking.map((r) => r.ruleId), warnings: summary.warnings.map((r) => r.ruleId) };
    });
    io.stdout(`${JSON.stringify({ apps }, null, 2)}\n`);
  }
  else io.stdout(reports.map(renderText).join('\n'));
  const blocking = reports.some((report) => report.results.some(isBlocking));
  return blocking ? 1 : 0;
}


function loadRules(dir: string, policiesDir: string | undefined, io: CliIo): PolicySet | number {
  let server: LoadedPolicies | undefined;
  const serverDir = io.env.SLIPWAY_POLICY_DIR;
  try {
    if (serverDir) server = loadServerPolicies(resolve(io.cwd, serverDir));
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    io.stderr(`slipway policy: ${error.message}\n`);
    return 1;
  }
  const repoDir = policiesDir ?? join(dir, repositoryPolicyDir);
  let repository: LoadedPolicies | undefined;
  if (policiesDir !== undefined || existsSync(repoDir)) {
    try {
      repository = loadPolicyFiles(readPolicyFolder(repoDir), 'repo');
    } catch (error) {
      io.stderr(`slipway policy: cannot read the policy folder ${repoDir}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const set = combinePolicies({ builtin: builtinRules(), server, repository });
  if (set.errors.length > 0) {
    io.stderr(`${set.errors.map(formatPolicyError).join('\n')}\n`);
    return 1;
  }
  return set;
}

async function checkApp(app: LoadedApp, environment: string, base: TerraformJson | null, policies: PolicySet, dirArg: string): Promise<AppReport | string> {
  let resolved;
  try {
    resolved = resolveEnvironment(app.config, environment);
  } catch (error) {
    return `${app.file}: ${(error as Error).message}`;
  }
  const terraform = await synthesizeLazily(resolved);
  const notes: string[] = [];
  const plan = diffTerraform(base, terraform, { componentOf });
  let cost: CostEstimate | undefined;
  let costDiff: CostDiff | undefined;
  try {
    cost = estimateCost(terraform, { region: resolved.region, componentOf });
    if (base) costDiff = diffCost(estimateCost(base, { region: resolved.region, componentOf }), cost);
  } catch (error) {
    notes.push(`cost not estimated: ${(error as Error).message}`);
  }
  const file = join(dirArg, app.file);
  const results = evaluatePolicies({
    config: resolved,
    environment,
    terraform,
    plan,
    cost,
    costDiff,
    rules: policies.rules,
    params: policies.params,
    locate: (path) => app.locate(path),
    file,
    componentOf,
  });
  return { app: app.config.name, file, environment, results, notes };
}

const marks: Record<PolicyResult['status'], string> = { pass: 'pass', fail: 'FAIL', error: 'ERROR', approved: 'ok' };

function renderText(report: AppReport): string {
  const lines = [`${report.app} (${report.file}, ${report.environment})`];
  const order = (r: PolicyResult) => (r.status === 'error' ? 0 : r.status === 'fail' ? (r.severity === 'error' ? 1 : 2) : 3);
  const skipped = report.results.filter((r) => r.status === 'pass' && r.notApplicable);
  for (const result of [...report.results].filter((r) => !skipped.includes(r)).sort((a, b) => order(a) - order(b))) {
    const status = result.status === 'fail' && result.severity === 'warning' ? 'warn' : marks[result.status];
    if (result.status === 'pass' || result.status === 'approved') {
      lines.push(`  ${status.padEnd(5)} ${result.ruleId}: ${result.message}`);
      continue;
    }
    lines.push(`  ${status.padEnd(5)} ${result.ruleId}: ${result.description}`);
    for (const fault of result.faults ?? [{ resource: '', message: result.message }]) {
      const at = fault.location ? `${fault.location.file}:${fault.location.line}:${fault.location.column}: ` : '';
      lines.push(`        ${at}${fault.message}`);
    }
    if (result.requiresApproval) lines.push(`        approve: comment \`/slipway approve ${result.ruleId}\` on the pull request`);
    lines.push(`        fix: ${result.remediation}`);
  }
  if (skipped.length > 0) lines.push(`  not applicable: ${skipped.map((r) => `${r.ruleId} (${r.message.replace(/^not evaluated: /, '')})`).join(', ')}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  const summary = summarizePolicyResults(report.results);
  lines.push(`  ${summary.blocking.length} blocking, ${summary.warnings.length} warning(s), ${summary.passed.length + summary.approved.length} passed, ${summary.notApplicable.length} not applicable`);
  return `${lines.join('\n')}\n`;
}
