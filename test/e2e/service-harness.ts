// One running Slipway (real HTTP server on loopback, worker, PGlite in a temp folder) wired to the
// loopback GitHub double and git server. Tests send signed webhooks over HTTP and read what the
// double recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../src/cli/serve.ts';
import type { Settings } from '../../src/settings/settings.ts';
import { defaultReconcileSettings } from '../../src/settings/reconcile-settings.ts';
import { defaultRunnerSettings } from '../../src/settings/runner-settings.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { startGitServer, type GitServer, type TestRepo } from '../harness/git-server.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { createTestDatabase } from '../store/engines.ts';

export const secret = 'e2e-webhook-secret';

export type Harness = {
  service: Service;
  github: GitHubDouble;
  git: GitServer;
  dataDir: string;
  logs: string[];
  /**
   * A repository in the git server, installed in the double under its own installation (tokens
   * are scoped to the repositories an installation had when they were issued).
   */
  repo(fullName: string): Promise<TestRepo & { installationId: number; full: { fullName: string; cloneUrl: string } }>;
  send(event: string, payload: unknown, deliveryId?: string): Promise<Response>;
  close(): Promise<void>;
};

export async function startHarness(overrides: Partial<Settings> = {}): Promise<Harness> {
  // The double reads the git server's repositories: review comments are checked against real diffs.
  const bareDirs = new Map<string, string>();
  const testRepos = new Map<string, TestRepo>();
  // Branch and commit reads answer from the git server's repositories (the reconcile tick polls them).
  const resolveRef = async (repo: string, ref: string) => (/^[0-9a-f]{40}$/.test(ref) ? ref : (await testRepos.get(repo)?.headOf(ref)) ?? null);
  const github = await startGitHubDouble({ gitDirOf: (repo) => bareDirs.get(repo), resolveRef });
  const git = await startGitServer({ authorize: (token, repo) => github.tokenCanRead(token, repo) });
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-e2e-'));
  const logs: string[] = [];
  // On Postgres each harness gets a database of its own: CI's `test` database is shared with other
  // test files and keeps rows between runs (installation ids, repositories, deployments).
  const database = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
  const service = await startService(
    {
      appId: github.appId,
      privateKey: github.privateKeyPem,
      webhookSecret: secret,
      githubApiUrl: github.url,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      role: 'all',
      workers: 4,
      runner: defaultRunnerSettings,
      // No periodic tick unless a test asks: it would poll the tests' repositories at random moments.
      reconcile: { ...defaultReconcileSettings, enabled: false },
      ...(database ? { databaseUrl: database.url } : {}),
      ...overrides,
    },
    { log: (m) => logs.push(m), retryBaseMs: 1, worker: { pollMs: 50, retryBackoff: { baseMs: 20, maxMs: 100 }, shutdownGraceMs: 2_000 } },
  );
  let nextInstallation = 100;
  return {
    service,
    github,
    git,
    dataDir,
    logs,
    async repo(fullName) {
      const repo = await git.createRepo(fullName);
      bareDirs.set(fullName, repo.bareDir);
      testRepos.set(fullName, repo);
      // A file naming the repository in every commit: otherwise two repositories' first commits
      // with the same files, made in the same second, have the same sha.
      const commit = repo.commit.bind(repo);
      repo.commit = (files, opts) => commit({ '.test-repo': `${fullName}\n`, ...files }, opts);
      const installationId = nextInstallation++;
      github.addRepository(fullName, { cloneUrl: repo.cloneUrl, defaultBranch: 'main' });
      github.addInstallation({ id: installationId, account: fullName.split('/')[0]!, repositories: [fullName] });
      return Object.assign(repo, { installationId, full: { fullName, cloneUrl: repo.cloneUrl } });
    },
    send(event, payload, deliveryId) {
      // On GitHub the pull request exists before its webhook is sent: the double learns it too.
      if (event === 'pull_request') registerPullRequest(github, payload as PullRequestEvent);
      const body = JSON.stringify(payload);
      return fetch(`${service.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, event, body, deliveryId) });
    },
    async close() {
      await service.stop();
      await git.close();
      await github.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type PullRequestEvent = {
  repository: { full_name: string };
  pull_request: { number: number; state: 'open' | 'closed'; merged: boolean; draft: boolean; user: { login: string }; head: { sha: string; ref: string; repo: { full_name: string } | null }; base: { sha: string; ref: string } };
};

function registerPullRequest(github: GitHubDouble, payload: PullRequestEvent): void {
  const pr = payload.pull_request;
  const repo = payload.repository.full_name;
  github.addPullRequest({
    repo,
    number: pr.number,
    state: pr.state,
    merged: pr.merged,
    draft: pr.draft,
    user: pr.user.login,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    headRepo: pr.head.repo?.full_name ?? repo,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
  });
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export const helloApp = (overrides: { cpu?: number; memory?: string; instances?: number; name?: string } = {}) => `version: 1
name: ${overrides.name ?? 'hello'}
region: us-east-1

services:
  web:
    type: web
    image: ghcr.io/acme/hello:\${sha}
    port: 8080
    cpu: ${overrides.cpu ?? 0.25}
    memory: ${overrides.memory ?? '512Mi'}
    instances: ${overrides.instances ?? 2}
    health:
      path: /healthz
`;
