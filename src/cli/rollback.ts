/**
 * `slipway rollback <app> [--env NAME] [--to ID|SHA] [--repo OWNER/NAME] [--auto-approve]`:
 * re-apply an earlier successful deployment's recorded Terraform JSON through the runner (the
 * same one `slipway apply` and the service use), and hold the commit rolled back from. The one
 * implementation is src/rollback/roll-back.ts; this reads arguments, opens the store and the
 * runner, shows Terraform's plan and asks (unless --auto-approve), and prints the outcome.
 */
import { userInfo } from 'node:os';
import type { Plan } from '../plan/types.ts';
import { readRunnerSettings } from '../settings/runner-settings.ts';
import type { CliIo } from './io.ts';
import { openCliStore } from './open-cli-store.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway rollback <app> [--env NAME] [--to DEPLOYMENT|SHA] [--repo OWNER/NAME] [--auto-approve]

Re-applies the recorded Terraform of an earlier successful deployment of the app's environment
(default production): by default the last good one before what runs now; --to names a deployment
id or a commit. Shows Terraform's plan and applies it once you answer yes. The commit rolled back
from is held: auto deploys skip it until a newer commit lands. See docs/rollback.md.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'rollback',
    args,
    { env: { type: 'string', default: 'production' }, to: { type: 'string' }, repo: { type: 'string' }, 'auto-approve': { type: 'boolean', default: false } },
    usage,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const fail = (message: string, code = 1) => (io.stderr(`slipway rollback: ${message}\n`), code);
  if (positionals.length !== 1) return fail(positionals.length === 0 ? `name the app to roll back\n${usage}` : `unexpected argument "${positionals[1]}"\n${usage}`, 2);
  const app = positionals[0]!;
  const environment = values.env!;
  if (!values['auto-approve'] && !io.ask) return fail('nobody to ask: stdin is not a terminal; pass --auto-approve to roll back without confirming', 2);

  const runnerSettings = readRunnerSettings(io.env, io.cwd);
  if (!runnerSettings.settings) return fail(`invalid settings:\n${runnerSettings.problems.map((p) => `  - ${p}`).join('\n')}`);
  const [{ StoreError }, { findAppEnvironments }, { rollBack }, { RollbackRefused }, { createRunner }, { RunnerError }] = await Promise.all([
    import('../store/store-error.ts'),
    import('../store/rollback-targets.ts'),
    import('../rollback/roll-back.ts'),
    import('../rollback/rollback-refused.ts'),
    import('../runner/create-runner.ts'),
    import('../runner/runner-error.ts'),
  ]);
  const store = await openCliStore('rollback', io);
  if (!store) return 1;
  let runner: Awaited<ReturnType<typeof createRunner>> | undefined;
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onInterrupt);
  try {
    // Refuse what cannot be rolled back before looking for Terraform.
    const found = await findAppEnvironments(store.db, { app, environment, ...(values.repo ? { repository: values.repo } : {}) });
    if (found.length === 0) return fail(`no deployments of ${app} to ${environment}${values.repo ? ` in ${values.repo}` : ''}: \`slipway deployments\` lists what was deployed`);
    if (found.length > 1) return fail(`${app} is an app of several repositories (${found.map((f) => f.repository).join(', ')}): say which with --repo`, 2);
    const dataDir = (await import('node:path')).resolve(io.cwd, io.env.SLIPWAY_DATA_DIR?.trim() || '.slipway');
    try {
      runner = await createRunner({ settings: runnerSettings.settings, dataDir, databaseUrl: io.env.DATABASE_URL?.trim() || undefined, env: io.env });
    } catch (error) {
      if (error instanceof RunnerError) return fail(error.message);
      throw error;
    }
    if (!('runner' in runner)) return fail(`no Terraform to apply with (${runner.missing}). Install Terraform ≥ 1.6 or OpenTofu, or set SLIPWAY_TERRAFORM.`);
    const where = found[0]!;
    const outcome = await rollBack(
      { db: store.db, runner: runner.runner, log: (m) => io.stderr(`${m}\n`) },
      {
        where,
        ...(values.to !== undefined ? { to: values.to } : {}),
        actor: `cli:${localUser(io)}`,
        reason: 'slipway rollback',
        signal: controller.signal,
        onRecorded: ({ id, target, live }) =>
          io.stdout(`Rolling ${app}.${environment} back to deployment ${target.id} (commit ${target.commitSha.slice(0, 12)})${live ? ` from deployment ${live.id} (commit ${live.commitSha.slice(0, 12)})` : ''}: deployment ${id}\n`),
        approve: async (plan) => {
          io.stdout(planText(plan));
          if (values['auto-approve']) return true;
          const answer = await io.ask!(`\nRoll ${app} (${environment}) back with these changes? Only 'yes' applies: `);
          return answer.trim() === 'yes' ? true : 'not confirmed';
        },
      },
    );
    const { result } = outcome;
    io.stdout(`\n${app} · ${environment}: rollback ${result.status}${result.reason ? ` (${result.reason})` : ''}\n`);
    if (result.failure) io.stdout(`  ${result.failure.step} failed${result.failure.address ? ` at ${result.failure.address}` : ''}: ${result.failure.message}\n`);
    if (outcome.held) io.stdout(`  commit ${outcome.held.slice(0, 12)} is held: auto deploys skip it until a newer commit lands\n`);
    io.stdout(`  log: slipway logs ${result.deploymentId}\n`);
    return result.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    if (error instanceof RollbackRefused) return fail(error.message);
    if (error instanceof StoreError) return fail(error.message);
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    if (runner && 'runner' in runner) await runner.runner.locks.close();
    await store.close();
  }
}

/** Terraform's plan of the rollback, one line per changed resource. */
function planText(plan: Plan): string {
  const changed = plan.resources.filter((r) => r.action !== 'no-op');
  const counts = Object.entries(plan.summary)
    .filter(([action, n]) => n > 0 && action !== 'no-op')
    .map(([action, n]) => `${n} to ${action}`);
  return `\nTerraform's plan: ${counts.join(', ') || 'no changes'}\n${changed.map((r) => `  ${r.action} ${r.address}\n`).join('')}`;
}

function localUser(io: CliIo): string {
  try {
    return userInfo().username;
  } catch {
    return io.env.USER ?? 'unknown';
  }
}
