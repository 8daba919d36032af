/**
 * Read the settings once at start-up: the process environment wins over a `.env` file in the
 * working folder (read when present, never written to `process.env`). Everything missing or
 * malformed is reported together in one `SettingsError`; secret values are never echoed.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { githubWebUrl, webUrlProblem } from '../github/clone-url.ts';
import { readEnvironment } from './read-environment.ts';
import { RepositoryPatternError, parseRepositoryPatterns } from './repository-allow-list.ts';
import { readReconcileSettings } from './reconcile-settings.ts';
import { readPreviewSettings } from './preview-settings.ts';
import { readRunnerSettings } from './runner-settings.ts';
import { readAppCredentialsFile } from './app-credentials-file.ts';
import { SettingsEnv, type BaseSettings, type Settings } from './settings.ts';
import { defaultSlipwayDataDir } from '../store/store-options.ts';

export { readEnvironment };

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}


/** A PEM given inline, possibly with `\n` escapes (one-line env files and CI secrets). */
export function normalizePem(text: string): string {
  const pem = text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
  return pem.trim() + '\n';
}

/**
 * Why a PEM cannot sign GitHub App JWTs (RS256), or undefined when it can. Parsed here, at start-up:
 * a key that only looks like one started the service, and every job then failed with OpenSSL's
 * "DECODER routines::unsupported", reported as GitHub answering nothing. OpenSSL's reason is
 * quoted (it never contains the key); the key itself never is.
 */
function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'is not a PEM private key (expected -----BEGIN … PRIVATE KEY-----)';
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    return `cannot be read as a private key (${(error as Error).message}): paste the whole .pem file GitHub generated for the App`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `is a ${key.asymmetricKeyType} key; GitHub App keys are RSA`;
  return undefined;
}

export function loadSettings(processEnv: Record<string, string | undefined>, cwd: string = process.cwd()): Settings {
  return readSettings(readEnvironment(processEnv, cwd), cwd, { setup: false }) as Settings;
}

/** The variables that register an App: with none of them, `slipway serve` starts its set-up page. */
const appVariables = ['APP_ID', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'WEBHOOK_SECRET'] as const;

export type ServiceSettings = { mode: 'running'; settings: Settings } | { mode: 'setup'; settings: BaseSettings };

/**
 * What `slipway serve` starts with: the environment, `.env`, then the credentials the set-up page
 * stored in the data folder (`github-app.env`), in that order of precedence. With no App
 * credentials anywhere, set-up mode; with some but not all, the usual error naming what is missing.
 */
export function loadServiceSettings(processEnv: Record<string, string | undefined>, cwd: string = process.cwd()): ServiceSettings {
  const env = readEnvironment(processEnv, cwd);
  const dataDir = resolve(cwd, env.SLIPWAY_DATA_DIR?.trim() || defaultSlipwayDataDir);
  const merged = { ...readAppCredentialsFile(dataDir), ...withoutEmpty(env) };
  const given = appVariables.some((name) => (merged[name] ?? '').trim() !== '');
  if (given) return { mode: 'running', settings: readSettings(merged, cwd, { setup: false }) as Settings };
  return { mode: 'setup', settings: readSettings(merged, cwd, { setup: true }) };
}

/** `APP_ID=` in a `.env` copied from the example says nothing: it must not hide the stored credentials. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

function readSettings(env: Record<string, string | undefined>, cwd: string, mode: { setup: boolean }): Settings | BaseSettings {
  const schema = mode.setup ? SettingsEnv.partial({ APP_ID: true, WEBHOOK_SECRET: true }) : SettingsEnv;
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      problems.push(`${name} ${issue.message}`);
    }
  }
  const raw = parsed.success ? parsed.data : undefined;

  let privateKey: string | undefined;
  const inline = env.PRIVATE_KEY?.trim();
  const keyPath = env.PRIVATE_KEY_PATH?.trim();
  if (inline) {
    privateKey = normalizePem(inline);
    const problem = privateKeyProblem(privateKey);
    if (problem) problems.push(`PRIVATE_KEY ${problem}`);
  } else if (keyPath) {
    const file = resolve(cwd, keyPath);
    try {
      privateKey = normalizePem(readFileSync(file, 'utf8'));
    } catch {
      problems.push(`PRIVATE_KEY_PATH ${file} cannot be read`);
    }
    const problem = privateKey === undefined ? undefined : privateKeyProblem(privateKey);
    if (problem) problems.push(`PRIVATE_KEY_PATH ${file} ${problem}`);
  } else if (!mode.setup) {
    problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH is required (the App’s private key, PEM)');
  }

  let repositoryPatterns: Settings['repositoryPatterns'];
  const patterns = env.SLIPWAY_REPOSITORIES?.trim();
  if (patterns) {
    try {
      repositoryPatterns = parseRepositoryPatterns(patterns);
    } catch (error) {
      if (!(error instanceof RepositoryPatternError)) throw error;
      problems.push(`SLIPWAY_REPOSITORIES ${error.message}`);
    }
  }

  if (raw && raw.SLIPWAY_ROLE !== 'all' && !raw.DATABASE_URL) {
    problems.push(`SLIPWAY_ROLE=${raw.SLIPWAY_ROLE} needs DATABASE_URL: the embedded database serves one process, which must both serve HTTP and work jobs`);
  }
  let githubUrl: string | undefined;
  if (raw) {
    githubUrl = raw.GITHUB_URL ?? githubWebUrl(raw.GITHUB_API_URL!);
    const problem = webUrlProblem(githubUrl, raw.GITHUB_API_URL!);
    if (problem) problems.push(`${raw.GITHUB_URL ? 'GITHUB_URL' : 'GITHUB_URL (derived from GITHUB_API_URL)'} ${problem}`);
  }
  if (raw && raw.SLIPWAY_WORKER_PORT !== undefined && raw.SLIPWAY_ROLE !== 'worker') {
    problems.push(`SLIPWAY_WORKER_PORT is for SLIPWAY_ROLE=worker; a ${raw.SLIPWAY_ROLE} process answers /healthz, /readyz and /metrics on PORT: unset SLIPWAY_WORKER_PORT`);
  }
  if (mode.setup && raw && raw.SLIPWAY_ROLE === 'worker') {
    problems.push('SLIPWAY_ROLE=worker needs the App’s credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET): register the App from a web process’s set-up page first');
  }
  if (raw && Boolean(raw.GITHUB_CLIENT_ID) !== Boolean(raw.GITHUB_CLIENT_SECRET)) {
    problems.push('GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together (the App’s OAuth client, for signing in with GitHub)');
  }
  const runner = readRunnerSettings(env, cwd);
  problems.push(...runner.problems);
  const reconcile = readReconcileSettings(env);
  problems.push(...reconcile.problems);
  const previews = readPreviewSettings(env);
  problems.push(...previews.problems);
  if (problems.length > 0 || !raw || (!mode.setup && !privateKey) || !runner.settings || !reconcile.settings || !previews.settings) throw new SettingsError([...new Set(problems)]);
  const base: BaseSettings = {
    githubApiUrl: raw.GITHUB_API_URL!,
    githubUrl: githubUrl!,
    ...(raw.DATABASE_URL ? { databaseUrl: raw.DATABASE_URL } : {}),
    dataDir: resolve(cwd, raw.SLIPWAY_DATA_DIR),
    port: raw.PORT,
    host: raw.HOST,
    ...(repositoryPatterns ? { repositoryPatterns } : {}),
    ...(raw.SLIPWAY_POLICY_DIR ? { policyDir: resolve(cwd, raw.SLIPWAY_POLICY_DIR) } : {}),
    role: raw.SLIPWAY_ROLE,
    ...(raw.SLIPWAY_API_TOKEN ? { apiToken: raw.SLIPWAY_API_TOKEN } : {}),
    workers: raw.SLIPWAY_WORKERS,
    ...(raw.SLIPWAY_PUBLIC_URL ? { publicUrl: raw.SLIPWAY_PUBLIC_URL } : {}),
    ...(raw.SLIPWAY_PROMETHEUS_URL ? { prometheusUrl: raw.SLIPWAY_PROMETHEUS_URL } : {}),
    logFormat: raw.SLIPWAY_LOG_FORMAT,
    ...(raw.SLIPWAY_METRICS_TOKEN ? { metricsToken: raw.SLIPWAY_METRICS_TOKEN } : {}),
    ...(raw.SLIPWAY_WORKER_PORT !== undefined ? { workerPort: raw.SLIPWAY_WORKER_PORT } : {}),
    apiRateLimit: raw.SLIPWAY_API_RATE_LIMIT,
    runner: runner.settings,
    reconcile: reconcile.settings,
    previews: previews.settings,
  };
  if (mode.setup) return base;
  return {
    ...base,
    appId: raw.APP_ID!,
    privateKey: privateKey!,
    webhookSecret: raw.WEBHOOK_SECRET!,
    ...(raw.WEBHOOK_SECRET_PREVIOUS ? { previousWebhookSecret: raw.WEBHOOK_SECRET_PREVIOUS } : {}),
    ...(raw.GITHUB_CLIENT_ID && raw.GITHUB_CLIENT_SECRET ? { oauth: { clientId: raw.GITHUB_CLIENT_ID, clientSecret: raw.GITHUB_CLIENT_SECRET } } : {}),
  };
}
