/**
 * Read the settings once at start-up: the process environment wins over a `.env` file in the
 * working folder (read when present, never written to `process.env`). Everything missing or
 * malformed is reported together in one `SettingsError`; secret values are never echoed.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readEnvironment } from './read-environment.ts';
import { RepositoryPatternError, parseRepositoryPatterns } from './repository-allow-list.ts';
import { readRunnerSettings } from './runner-settings.ts';
import { SettingsEnv, type Settings } from './settings.ts';

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
  const env = readEnvironment(processEnv, cwd);
  const parsed = SettingsEnv.safeParse(env);
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
  } else {
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
  const runner = readRunnerSettings(env, cwd);
  problems.push(...runner.problems);
  if (problems.length > 0 || !raw || !privateKey || !runner.settings) throw new SettingsError([...new Set(problems)]);
  return {
    appId: raw.APP_ID,
    privateKey,
    webhookSecret: raw.WEBHOOK_SECRET,
    ...(raw.WEBHOOK_SECRET_PREVIOUS ? { previousWebhookSecret: raw.WEBHOOK_SECRET_PREVIOUS } : {}),
    githubApiUrl: raw.GITHUB_API_URL!,
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
    logFormat: raw.SLIPWAY_LOG_FORMAT,
    ...(raw.SLIPWAY_METRICS_TOKEN ? { metricsToken: raw.SLIPWAY_METRICS_TOKEN } : {}),
    apiRateLimit: raw.SLIPWAY_API_RATE_LIMIT,
    runner: runner.settings,
  };
}
