/**
 * What the runner tests share: a runner driving the real Terraform binary (a missing one fails
 * the test, never skips it), state in a Postgres database of the test's own through the `pg`
 * backend when DATABASE_URL is set and in the work folder otherwise, recorded deployments, and
 * ways to look at what a run left behind (state, log, process groups).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { parseConfigText } from '../../src/config/parse-config.ts';
import { resolveEnvironment } from '../../src/config/resolve-environment.ts';
import { createRunner, type Runner } from '../../src/runner/create-runner.ts';
import { workspaceName, type Workspace } from '../../src/runner/workspace.ts';
import type { StateBackend } from '../../src/settings/runner-settings.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import type { Db } from '../../src/store/db.ts';
import { readDeploymentLog } from '../../src/store/deployment-logs.ts';
import { createDeployment } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { localRepository } from '../../src/store/local-repository.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { synthesizeTestApp } from '../harness/terraform-data-kinds.ts';
import { createTestDatabase, postgresUrl } from '../store/engines.ts';

export const stateSchema = 'slipway_state';

/** Where the tests keep Terraform state: Postgres (pg backend) when there is one, else the work folder. */
export async function testStateBackend(): Promise<{ state: StateBackend; drop: () => Promise<void> }> {
  if (!postgresUrl) return { state: { kind: 'local' }, drop: async () => {} };
  const created = await createTestDatabase(postgresUrl);
  const url = new URL(created.url);
  // lib/pq, which Terraform's pg backend uses, asks for TLS unless told otherwise.
  url.searchParams.set('sslmode', 'disable');
  return { state: { kind: 'pg', databaseUrl: url.toString(), schema: stateSchema }, drop: created.drop };
}

export type TestRunnerOptions = {
  state: StateBackend;
  databaseUrl?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  graceMs?: number;
  dataDir?: string;
};

/** A runner with the real terraform (from the PATH, as the service finds it). */
export async function testRunner(options: TestRunnerOptions): Promise<Runner & { dataDir: string }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'slipway-runner-'));
  const made = await createRunner({
    settings: { state: options.state, timeoutMs: options.timeoutMs ?? 120_000 },
    dataDir,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    env: options.env ?? process.env,
    graceMs: options.graceMs ?? 2_000,
  });
  if (!('runner' in made)) throw new Error(`the runner tests need Terraform ≥ 1.6 (/usr/local/bin/terraform on the project's machines): ${made.missing}`);
  return { ...made.runner, dataDir };
}

export type TestRunner = Runner & { dataDir: string };

/**
 * For the suite it is called in: before it, a runner with a state backend of its own (handed to
 * `set`); after it, both removed.
 */
export function runnerForSuite(set: (runner: TestRunner) => void, options: () => Omit<TestRunnerOptions, 'state'> = () => ({})): void {
  let runner: TestRunner | undefined;
  let dropState: () => Promise<void> = async () => {};
  before(async () => {
    const backend = await testStateBackend();
    dropState = backend.drop;
    runner = await testRunner({ ...options(), state: backend.state });
    set(runner);
  });
  after(async () => {
    await disposeRunner(runner);
    await dropState();
  });
}

/** Close the runner's idle lock sessions and remove its data folder. */
export async function disposeRunner(runner: (Runner & { dataDir: string }) | undefined): Promise<void> {
  if (!runner) return;
  await runner.locks.close();
  rmSync(runner.dataDir, { recursive: true, force: true });
}

/** A paas.yaml synthesized through the production path with the terraform_data test kinds. */
export function testAppDocument(yaml: string, sha: string, environment = 'production'): TerraformJson {
  const parsed = parseConfigText(yaml, 'paas.yaml');
  if (!parsed.ok) throw new Error(`test paas.yaml is invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return synthesizeTestApp(resolveEnvironment(parsed.config, environment), { sha });
}

export const webApp = (name: string, extra = '') => `version: 1
name: ${name}
services:
  web:
    type: web
    image: "registry.example/${name}:\${sha}"
    memory: 1Gi
    instances: 2
    env:
      GREETING: hello${extra}
`;

/** A queued deployment of `app`'s environment, recorded as the push job or the CLI would. */
export async function recordTestDeployment(db: Db, input: { app: string; environment?: string; sha: string; terraformJson: TerraformJson }) {
  const repository = await localRepository(db, `acme/${input.app}`);
  const app = await getOrCreateApp(db, { repositoryId: repository.id, name: input.app });
  const environment = await getOrCreateEnvironment(db, { appId: app.id, name: input.environment ?? 'production' });
  const deployment = await createDeployment(db, { appId: app.id, environmentId: environment.id, commitSha: input.sha, terraformJson: input.terraformJson });
  const workspace: Workspace = { app: input.app, environment: environment.name };
  return { deployment, workspace, environmentId: environment.id };
}

/** The state Terraform wrote for a workspace, read where the backend keeps it (not through Slipway). */
export async function readState(runner: Runner, workspace: Workspace): Promise<{ resources: Array<{ type: string; name: string; instances: Array<{ attributes: Record<string, unknown> }> }>; serial: number } | undefined> {
  const name = workspaceName(workspace);
  if (runner.state.kind === 'pg') {
    const client = new pg.Client({ connectionString: runner.state.databaseUrl.replace(/\?.*$/, '') });
    await client.connect();
    try {
      const { rows } = await client.query<{ data: string }>(`select data from ${stateSchema}.states where name = $1`, [name]);
      return rows[0] ? JSON.parse(rows[0].data) : undefined;
    } finally {
      await client.end();
    }
  }
  try {
    return JSON.parse(readFileSync(join(runner.root, 'work', name, 'terraform.tfstate'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The `input` of the state's first terraform_data resource whose name starts with `prefix`. */
export async function stateInput(runner: Runner, workspace: Workspace, prefix: string): Promise<Record<string, unknown> | undefined> {
  const state = await readState(runner, workspace);
  const resource = state?.resources.find((r) => r.type === 'terraform_data' && r.name.startsWith(prefix));
  const input = resource?.instances[0]?.attributes.input as { value?: Record<string, unknown> } | undefined;
  return input?.value;
}

export async function logText(db: Db, deploymentId: number): Promise<string> {
  return (await readDeploymentLog(db, deploymentId)).map((chunk) => chunk.text).join('\n');
}

/** Whether any process of the group still exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

/** Processes whose command line contains `marker` (a unique sleep length, say). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // A zombie (state Z) is already dead, waiting for its parent to read its exit status.
      if (cmdline.includes(marker) && !/\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
