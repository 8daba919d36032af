/**
 * The `deps` object: every edge the service uses, built once at start-up from the settings and
 * handed to the HTTP app and the job handlers as an argument (no module-level singletons).
 */
import { join } from 'node:path';
import { claimCacheDir, createGitCache, type GitCache } from './git/index.ts';
import { createGitHubApp, type GitHubApp } from './github/index.ts';
import { loadServerPolicies, type LoadedPolicies } from './policy/index.ts';
import type { SynthesizeApp } from './evaluate/evaluate-app.ts';
import type { Runner } from './runner/create-runner.ts';
import type { Settings } from './settings/settings.ts';
import type { Store } from './store/store.ts';

import type { LogFields } from './ops/log-fields.ts';

/** A log line: a message and the ids it is about (src/ops/create-logger.ts writes it as JSON). */
export type Log = (message: string, fields?: LogFields) => void;

export type Deps = {
  settings: Settings;
  store: Store;
  github: GitHubApp;
  git: GitCache;
  /** Rules from `SLIPWAY_POLICY_DIR`, loaded (and validated) once at start-up. */
  serverPolicies?: LoadedPolicies;
  /** The Terraform runner; absent when no usable Terraform was found (deployments are planned only). */
  runner?: Runner;
  /** Synthesis for the push and PR jobs; absent: the AWS kinds (tests give the terraform_data kinds). */
  synthesize?: SynthesizeApp;
  now: () => Date;
  log: Log;
  /** Give back what this process holds (the git cache folder's lock). */
  close: () => void;
};

export type BuildDepsOptions = {
  /** GitHub client tuning for tests (e.g. short retry waits). */
  retryBaseMs?: number;
  log?: Log;
  runner?: Runner;
  synthesize?: SynthesizeApp;
  /** Told GitHub's remaining rate limit after each installation request (the service's metrics). */
  onRateLimitRemaining?: (installationId: number, remaining: number) => void;
};

/** Throws PolicyLoadError when the server's policy folder is invalid: the service must not start. */
export function buildDeps(settings: Settings, store: Store, options: BuildDepsOptions = {}): Deps {
  const log = options.log ?? ((message: string) => console.error(message));
  const github = createGitHubApp({
    appId: settings.appId,
    privateKey: settings.privateKey,
    baseUrl: settings.githubApiUrl,
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    log: { debug() {}, info() {}, warn: (m: string) => log(`github: ${m}`, { level: 'warn' }), error: (m: string) => log(`github: ${m}`, { level: 'error' }) },
    ...(options.onRateLimitRemaining ? { onRateLimitRemaining: options.onRateLimitRemaining } : {}),
  });
  const serverPolicies = settings.policyDir ? loadServerPolicies(settings.policyDir) : undefined;
  // The web role never touches git; a worker claims a cache folder no other process on this host uses.
  const gitDir = join(settings.dataDir, 'git');
  const cacheDir = settings.role === 'web' ? { dir: gitDir, release: () => {} } : claimCacheDir(gitDir);
  if (cacheDir.dir !== gitDir) log(`slipway: git cache in ${cacheDir.dir} (another process on this host holds ${gitDir})`);
  const git = createGitCache({ dir: cacheDir.dir, log: { debug() {}, warn: (m: string) => log(`slipway: ${m}`) } });
  return { settings, store, github, git, ...(serverPolicies ? { serverPolicies } : {}), ...(options.runner ? { runner: options.runner } : {}), ...(options.synthesize ? { synthesize: options.synthesize } : {}), now: () => new Date(), log, close: cacheDir.release };
}
