/**
 * The Terraform runner's settings, read once at start-up like the rest (the service reads them
 * into `Settings.runner`; `slipway apply` reads them alone, since it needs no GitHub App).
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { durationToSeconds } from '../config/units.ts';
import { optionalText } from './settings.ts';

export const stateBackends = ['stack', 'pg', 'local'] as const;

export const RunnerSettingsEnv = z.object({
  /** A path or a command name (`terraform`, `tofu`); unset: `terraform`, then `tofu`, on the PATH. */
  SLIPWAY_TERRAFORM: optionalText,
  SLIPWAY_STATE_BACKEND: optionalText.pipe(z.enum(stateBackends, { error: `must be one of ${stateBackends.join(', ')}` }).optional()).transform((v) => v ?? 'stack'),
  SLIPWAY_STATE_DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//i.test(v), { message: 'must be a postgres:// URL' }),
  SLIPWAY_STATE_SCHEMA: optionalText.pipe(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase Postgres schema name (a-z, 0-9, _)').optional(),
  ).transform((v) => v ?? 'terraform_remote_state'),
  SLIPWAY_TERRAFORM_CONFIG: optionalText,
  SLIPWAY_TERRAFORM_TIMEOUT: optionalText.pipe(
    z.string().regex(/^\d+(s|m|h)$/, 'must be a duration such as 90s, 30m or 2h').optional(),
  ).transform((v) => durationToSeconds(v ?? '1h') * 1000),
  SLIPWAY_DEPLOY_AFTER_TIMEOUT: optionalText.pipe(
    z.string().regex(/^\d+(s|m|h)$/, 'must be a duration such as 90s, 30m or 2h').optional(),
  ).transform((v) => durationToSeconds(v ?? '1h') * 1000),
});

/** Where Terraform state lives: the backend the stacks synthesize (S3), Postgres, or the work folder. */
export type StateBackend =
  | { kind: 'stack' }
  | { kind: 'local' }
  | { kind: 'pg'; databaseUrl: string; schema: string };

export type RunnerSettings = {
  /** Asked for explicitly: missing or too old is an error, not a quiet fall-back to planning only. */
  terraform?: string;
  state: StateBackend;
  /** The operator's Terraform CLI configuration (a provider mirror); unset: the runner writes its own. */
  cliConfigFile?: string;
  /** Longest any one Terraform command may run. */
  timeoutMs: number;
  /** How long a deployment waits for the checks its `deploy.after` names before it fails (default 1 h). */
  afterTimeoutMs?: number;
};

/** The runner's settings, or the problems with them (each naming its variable). */
export function readRunnerSettings(env: Record<string, string | undefined>, cwd: string): { settings?: RunnerSettings; problems: string[] } {
  const parsed = RunnerSettingsEnv.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`) };
  const raw = parsed.data;
  const problems: string[] = [];
  let state: StateBackend = { kind: raw.SLIPWAY_STATE_BACKEND as 'stack' | 'local' };
  if (raw.SLIPWAY_STATE_BACKEND === 'pg') {
    if (!raw.SLIPWAY_STATE_DATABASE_URL) problems.push('SLIPWAY_STATE_DATABASE_URL is required with SLIPWAY_STATE_BACKEND=pg (the Postgres database Terraform keeps state in)');
    else state = { kind: 'pg', databaseUrl: raw.SLIPWAY_STATE_DATABASE_URL, schema: raw.SLIPWAY_STATE_SCHEMA };
  } else if (raw.SLIPWAY_STATE_DATABASE_URL) {
    problems.push(`SLIPWAY_STATE_DATABASE_URL is set but SLIPWAY_STATE_BACKEND is ${raw.SLIPWAY_STATE_BACKEND}: set SLIPWAY_STATE_BACKEND=pg to keep state there`);
  }
  if (problems.length > 0) return { problems };
  const terraform = raw.SLIPWAY_TERRAFORM;
  return {
    problems: [],
    settings: {
      // A bare command name is looked up on the PATH; anything with a slash is a path from cwd.
      ...(terraform ? { terraform: terraform.includes('/') && !isAbsolute(terraform) ? resolve(cwd, terraform) : terraform } : {}),
      state,
      ...(raw.SLIPWAY_TERRAFORM_CONFIG ? { cliConfigFile: resolve(cwd, raw.SLIPWAY_TERRAFORM_CONFIG) } : {}),
      timeoutMs: raw.SLIPWAY_TERRAFORM_TIMEOUT,
      afterTimeoutMs: raw.SLIPWAY_DEPLOY_AFTER_TIMEOUT,
    },
  };
}

/** What an empty environment gives: Terraform from the PATH, the stacks' own state backend, 1 h per command. */
export const defaultRunnerSettings: RunnerSettings = { state: { kind: 'stack' }, timeoutMs: 3_600_000, afterTimeoutMs: 3_600_000 };
