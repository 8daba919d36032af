/**
 * `slipway apply [dir] [--env NAME] [--auto-approve]`: plan and apply every app under `dir` to an
 * environment with Terraform on this machine, using the credentials of whoever runs it (as
 * `cdktf deploy` would). The same runner as the service: the same work folders, deploy locks,
 * state backend settings (SLIPWAY_STATE_BACKEND…), logs and guards; deployments are recorded in
 * Slipway's store (DATABASE_URL, or the embedded one under SLIPWAY_DATA_DIR) as the CLI's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { formatConfigError, loadApps, resolveEnvironment, UnknownEnvironmentError, type LoadResult } from '../config/load.ts';
import { readRunnerSettings } from '../settings/runner-settings.ts';
import type { CliIo } from './io.ts';
import { openCliStore } from './open-cli-store.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway apply [dir] [--env NAME] [--auto-approve]

Plans every app under dir (default .) for the environment (default production) with Terraform,
shows the plan, and applies it once you answer yes (--auto-approve: without asking; refused for
environments with deploy: manual). Settings: docs/runner.md.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('apply', args, { env: { type: 'string', default: 'production' }, 'auto-approve': { type: 'boolean', default: false } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.stderr(`slipway apply: unexpected argument "${positionals[1]}"\n${usage}`);
    return 2;
  }
  const dirArg = positionals[0] ?? '.';
  const dir = resolve(io.cwd, dirArg);
  const fail = (message: string, code = 1) => (io.stderr(`slipway apply: ${message}\n`), code);

  const runnerSettings = readRunnerSettings(io.env, io.cwd);
  if (!runnerSettings.settings) return fail(`invalid settings:\n${runnerSettings.problems.map((p) => `  - ${p}`).join('\n')}`);

  let loaded: LoadResult;
  try {
    loaded = await loadApps(dir);
  } catch (error) {
    return fail(`cannot read ${dirArg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (loaded.errors.length > 0) return fail(`\n${loaded.errors.map((e) => formatConfigError({ ...e, file: join(dirArg, e.file) })).join('\n')}`);
  if (loaded.apps.length === 0) return fail(`no paas.yaml under ${dirArg}`);
  for (const app of loaded.apps) {
    try {
      resolveEnvironment(app.config, values.env!);
    } catch (error) {
      if (error instanceof UnknownEnvironmentError) return fail(`${join(dirArg, app.file)}: ${error.message}`);
      throw error;
    }
  }

  const [{ createRunner }, { RunnerError }] = await Promise.all([import('../runner/create-runner.ts'), import('../runner/runner-error.ts')]);
  const dataDir = resolve(io.cwd, io.env.SLIPWAY_DATA_DIR?.trim() || '.slipway');
  let made: Awaited<ReturnType<typeof createRunner>>;
  try {
    made = await createRunner({ settings: runnerSettings.settings, dataDir, databaseUrl: io.env.DATABASE_URL?.trim() || undefined, env: io.env });
  } catch (error) {
    if (error instanceof RunnerError) return fail(error.message);
    throw error;
  }
  if (!('runner' in made)) {
    return fail(`no Terraform to apply with (${made.missing}). Install Terraform ≥ 1.6 or OpenTofu, or set SLIPWAY_TERRAFORM; \`slipway plan\` shows what would change without it.`);
  }

  const policies = await loadPolicies(dir, io);
  if (typeof policies === 'string') return fail(policies);
  const [{ StoreError }, { deployApps }, { synthesizeLazily }, { SynthError }] = await Promise.all([
    import('../store/store-error.ts'),
    import('./deploy-apps.ts'),
    import('../synth/synthesize-lazily.ts'),
    import('../synth/synth-error.ts'),
  ]);
  const store = await openCliStore('apply', io);
  if (!store) return 1;
  // Ctrl-C stops Terraform the way a terminal's would (its state is written), and the run is recorded as such.
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onInterrupt);
  try {
    const { sha, dirty } = commitOf(dir);
    if (dirty) io.stderr(`slipway apply: ${dirArg} has changes not committed: applying the files as they are, as commit ${sha}\n`);
    const outcome = await deployApps(
      { db: store.db, runner: made.runner, log: (m) => io.stderr(`${m}\n`) },
      {
        apps: loaded.apps,
        environment: values.env!,
        repository: repositoryName(dir),
        sha,
        synthesize: synthesizeLazily,
        policies,
        autoApprove: values['auto-approve'] === true,
        ...(io.ask ? { ask: io.ask } : {}),
        actor: `cli:${localUser(io)}`,
        signal: controller.signal,
        out: io.stdout,
      },
    );
    if ('refused' in outcome) return fail(outcome.refused, 2);
    return outcome.results.every((r) => r.result.status === 'succeeded') ? 0 : 1;
  } catch (error) {
    // The one place errors become messages: known kinds by class; anything else is a bug and surfaces as one.
    if (error instanceof SynthError || error instanceof StoreError) return fail(error.message);
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await made.runner.locks.close();
    await store.close();
  }
}

/** The built-in rules, the server folder (SLIPWAY_POLICY_DIR) and `<dir>/.slipway/policies`; or what is wrong with them. */
async function loadPolicies(dir: string, io: CliIo) {
  const policy = await import('../policy/index.ts');
  try {
    const server = io.env.SLIPWAY_POLICY_DIR ? policy.loadServerPolicies(resolve(io.cwd, io.env.SLIPWAY_POLICY_DIR)) : undefined;
    const repoDir = join(dir, policy.repositoryPolicyDir);
    const repository = existsSync(repoDir) ? policy.loadPolicyFiles(policy.readPolicyFolder(repoDir), 'repo') : undefined;
    const set = policy.combinePolicies({ builtin: policy.builtinRules(), server, repository });
    // A broken rule file would let through what it meant to stop: nothing is applied until it is fixed.
    if (set.errors.length > 0) return `policy files with errors:\n${set.errors.map(policy.formatPolicyError).join('\n')}`;
    return set;
  } catch (error) {
    if (error instanceof policy.PolicyLoadError) return error.message;
    throw error;
  }
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** HEAD of the checkout, and whether the files differ from it; outside git, `local`. */
function commitOf(dir: string): { sha: string; dirty: boolean } {
  const sha = git(dir, ['rev-parse', 'HEAD']);
  if (!sha) return { sha: 'local', dirty: false };
  return { sha, dirty: (git(dir, ['status', '--porcelain', '--', '.']) ?? '') !== '' };
}

/** `owner/repo` from the `origin` remote (GitHub's URL forms), else `local/<folder>`. */
function repositoryName(dir: string): string {
  const origin = git(dir, ['remote', 'get-url', 'origin']);
  const match = origin ? /[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/.exec(origin) : null;
  if (match) return match[1]!;
  return `local/${basename(git(dir, ['rev-parse', '--show-toplevel']) ?? dir)}`;
}

function localUser(io: CliIo): string {
  try {
    return userInfo().username;
  } catch {
    return io.env.USER ?? 'unknown';
  }
}
