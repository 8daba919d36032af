/**
 * The `slipway` command: a table of contents of subcommands, each in a sibling file that exports
 * `run(args, io)`. Subcommands are imported lazily so that `slipway validate` never pays for the
 * store, the HTTP server or CDKTF.
 */
import { readEnvironment } from '../settings/read-environment.ts';
import type { CliIo } from './io.ts';
import type { EarlyStart } from './serve.ts';
export { processIo } from './io.ts';

const writesData = new Set(['serve', 'migrate', 'metrics', 'reconcile', 'token']);

type Command = { summary: string; load: () => Promise<{ run: (args: string[], io: CliIo, early: EarlyStart) => Promise<number> }> };

const commands: Record<string, Command> = {
  validate: { summary: 'check every paas.yaml under a directory', load: () => import('./validate.ts') },
  synth: { summary: 'print the Terraform JSON Slipway would apply', load: () => import('./synth.ts') },
  plan: { summary: 'show what would change, what it costs, and policy results', load: () => import('./plan.ts') },
  cost: { summary: 'print the monthly cost estimate', load: () => import('./cost.ts') },
  policy: { summary: 'evaluate policies locally (slipway policy check [dir])', load: () => import('./policy.ts') },
  recommend: { summary: 'scaling and cost recommendations from metrics', load: () => import('./recommend.ts') },
  metrics: { summary: 'import metric samples (slipway metrics import FILE ...)', load: () => import('./metrics.ts') },
  apply: { summary: 'plan and apply with Terraform on this machine (slipway apply [dir] [--env E])', load: () => import('./apply.ts') },
  rollback: { summary: 're-apply an earlier good deployment (slipway rollback <app> [--env E] [--to ID|SHA])', load: () => import('./rollback.ts') },
  deployments: { summary: 'list deployments (--app, --env)', load: () => import('./deployments.ts') },
  logs: { summary: 'print a deployment’s log (slipway logs <deployment>)', load: () => import('./logs.ts') },
  reconcile: { summary: 'run one reconcile tick now (slipway reconcile --once)', load: () => import('./reconcile.ts') },
  status: { summary: 'per app and environment: desired and applied commit, drift, last tick', load: () => import('./status.ts') },
  token: { summary: 'API tokens: slipway token create --role read|deploy|admin, list, revoke <id>', load: () => import('./token.ts') },
  audit: { summary: 'the audit log, newest first (--action, --actor, --subject, --json)', load: () => import('./audit.ts') },
  migrate: { summary: 'apply database migrations', load: () => import('./migrate.ts') },
  serve: { summary: 'run the GitHub App webhook service and job worker', load: () => import('./serve.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: slipway <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr(`slipway: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  // `.env` means the same to every command as to `serve` (SLIPWAY_DATA_DIR, DATABASE_URL, …).
  io = { ...io, env: readEnvironment(io.env, io.cwd) };
  // Commands that write Slipway's data create it private to this user (see store/private-folder.ts).
  if (writesData.has(name)) process.umask(0o077);
  // The service's embedded store boots in a thread of its own: start it before the service loads,
  // and hand it to the command.
  const early: EarlyStart = {};
  if (name === 'serve' && !rest.includes('--help') && !rest.includes('-h') && !io.env.DATABASE_URL?.trim()) {
    early.storeThread = (await import('../store/open-pglite-thread.ts')).prestartStoreThread();
  }
  const mod = await command.load();
  return mod.run(rest, io, early);
}
