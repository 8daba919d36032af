/**
 * The runner as the service and the CLI hold it: built once at start-up from the settings. Without
 * a usable Terraform there is no runner, and the caller says why once and keeps planning only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerSettings, StateBackend } from '../settings/runner-settings.ts';
import { openDeployLocks, type DeployLocks } from '../store/deploy-locks.ts';
import { redactUrl } from '../store/redact-url.ts';
import { cliConfigFile } from './cli-config-file.ts';
import { findTerraform, type TerraformBinary } from './find-terraform.ts';
import { createWatchdog, type Watchdog } from './process-watchdog.ts';

export type Runner = {
  terraform: TerraformBinary;
  state: StateBackend;
  /** `<data folder>/terraform`: work folders, the plugin cache, the runner's CLI configuration. */
  root: string;
  cliConfigFile: string;
  pluginCacheDir: string;
  /** Longest any one Terraform command may run; then it is interrupted, and killed after `graceMs`. */
  timeoutMs: number;
  graceMs: number;
  /** The environment Terraform processes start from (see terraform-environment.ts for what is removed). */
  env: Record<string, string | undefined>;
  locks: DeployLocks;
  /** Stops Terraform's process groups if this process dies mid-command. */
  watchdog: Watchdog;
  logLimitBytes?: number;
  /** Told how long each Terraform step took (the service's `slipway_runner_phase_seconds`). */
  observePhase?: (phase: string, ok: boolean, seconds: number) => void;
};

export type CreateRunnerInput = {
  settings: RunnerSettings;
  dataDir: string;
  /** Slipway's own database (not the state's): deploy locks are Postgres advisory locks there. */
  databaseUrl?: string;
  env: Record<string, string | undefined>;
  log?: (message: string) => void;
  /** Default 30 s: what Terraform gets to stop gracefully (finish in-flight changes, write state). */
  graceMs?: number;
};

/** Throws RunnerError when the settings ask for something unusable (a SLIPWAY_TERRAFORM that is not there). */
export async function createRunner(input: CreateRunnerInput): Promise<{ runner: Runner } | { missing: string }> {
  const found = await findTerraform({ setting: input.settings.terraform, pathEnv: input.env.PATH });
  if ('missing' in found) return found;
  const root = join(input.dataDir, 'terraform');
  const pluginCacheDir = join(root, 'plugin-cache');
  mkdirSync(pluginCacheDir, { recursive: true, mode: 0o700 });
  const graceMs = input.graceMs ?? 30_000;
  return {
    runner: {
      terraform: found.binary,
      state: input.settings.state,
      root,
      cliConfigFile: cliConfigFile(root, input.settings.cliConfigFile),
      pluginCacheDir,
      timeoutMs: input.settings.timeoutMs,
      graceMs,
      env: input.env,
      locks: openDeployLocks({ databaseUrl: input.databaseUrl, log: input.log }),
      watchdog: createWatchdog(graceMs),
    },
  };
}

/** One line for the start-up log. */
export function describeRunner(runner: Runner): string {
  const { terraform, state } = runner;
  const where =
    state.kind === 'pg' ? `pg backend, schema ${state.schema} at ${redactUrl(state.databaseUrl)}` : state.kind === 'local' ? `local state in ${runner.root}/work` : 'the backend each stack synthesizes (S3)';
  return `${terraform.name === 'tofu' ? 'OpenTofu' : 'Terraform'} ${terraform.version} at ${terraform.path}; state: ${where}`;
}
