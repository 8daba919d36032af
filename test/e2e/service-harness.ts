// One running Slipway (real HTTP server on loopback, worker, PGlite in a temp folder) wired to the
// loopback GitHub double and git server. Tests send signed webhooks over HTTP and read what the
// double recorded.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service, type StartOptions } from '../../src/cli/serve.ts';
import type { Settings } from '../../src/settings/settings.ts';
import { defaultRunnerSettings, type StateBackend } from '../../src/settings/runner-settings.ts';
import type { ResolvedConfig } from '../../src/config/schema.ts';
import { durationToSeconds } from '../../src/config/units.ts';
import type { SynthOptions } from '../../src/synth/synthesize.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { synthesizeTestApp } from '../harness/terraform-data-kinds.ts';
import { defaultReconcileSettings } from '../../src/settings/reconcile-settings.ts';
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

export type HarnessOptions = Pick<StartOptions, 'synthesize' | 'env'> & {
  /**
   * Deploy for real: the Terraform on the PATH, this state backend, and synthesis through the
   * terraform_data test kinds (the AWS provider cannot be downloaded here). Without it the service
   * finds no Terraform (its PATH has none) and plans only, as it does without a runner.
   */
  terraform?: {
    state: StateBackend;
    afterTimeout?: string;
    /** Changes what synthesis made for an app before it is recorded (e.g. a provisioner that fails). */
    transform?: (doc: TerraformJson, config: ResolvedConfig) => TerraformJson;
  };
};

export function testSynthesis(transform?: (doc: TerraformJson, config: ResolvedConfig) => TerraformJson) {
  return (config: ResolvedConfig, o: SynthOptions): TerraformJson => {
    const doc = synthesizeTestApp(config, { ...(o.sha ? { sha: o.sha } : {}) });
    return transform ? transform(doc, config) : doc;
  };
}

/** The PATH without the folders that hold a terraform or tofu: what a host without Terraform has. */
function pathWithoutTerraform(): string {
  return (process.env.PATH ?? '').split(':').filter((dir) => dir && !existsSync(join(dir, 'terraform')) && !existsSync(join(dir, 'tofu'))).join(':');
}

export async function startHarness(overrides: Partial<Settings> = {}, options: HarnessOptions = {}): Promise<Harness> {
  // The double reads the git server's repositories: review comments are checked against real diffs.
  const bareDirs = new Map<string, string>();
  const gitRepos = new Map<string, TestRepo>();
  // Branch and commit reads answer from the git server's repositories (the reconcile tick polls them).
  const resolveRef = async (repo: string, ref: string) => (/^[0-9a-f]{40}$/.test(ref) ? ref : (await gitRepos.get(repo)?.headOf(ref)) ?? null);
  const github = await startGitHubDouble({ gitDirOf: (repo) => bareDirs.get(repo), resolveRef });
  // One web host, as github.com: git's requests to the git server, its pages to the double's.
  const git = await startGitServer({ authorize: (token, repo) => github.tokenCanRead(token, repo), fallback: (req, res) => forward(req, res, github.url) });
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
      // Repositories are cloned from the configured host, as on GitHub: here the loopback git server.
      githubUrl: git.url,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      role: 'all',
      workers: 4,
      runner: options.terraform
        ? { ...defaultRunnerSettings, state: options.terraform.state, timeoutMs: 120_000, afterTimeoutMs: durationToSeconds(options.terraform.afterTimeout ?? '1h') * 1000 }
        : defaultRunnerSettings,
      // No periodic tick unless a test asks: it would poll the tests' repositories at random moments.
      reconcile: { ...defaultReconcileSettings, enabled: false },
      ...(database ? { databaseUrl: database.url } : {}),
      ...overrides,
    },
    {
      log: (m) => logs.push(m),
      retryBaseMs: 1,
      worker: { pollMs: 50, retryBackoff: { baseMs: 20, maxMs: 100 }, shutdownGraceMs: 2_000 },
      env: options.env ?? (options.terraform ? process.env : { ...process.env, PATH: pathWithoutTerraform() }),
      ...(options.synthesize ? { synthesize: options.synthesize } : options.terraform ? { synthesize: testSynthesis(options.terraform.transform) } : {}),
    },
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
      gitRepos.set(fullName, repo);
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

/** `req` sent on to `base` as it came, its answer passed back as it is. */
function forward(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  return new Promise((resolve) => {
    const target = new URL(req.url ?? '/', base);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
      resolve();
    });
    req.pipe(upstream);
  });
}
