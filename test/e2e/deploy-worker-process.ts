/**
 * A second Slipway worker process for the multi-process deploy test: `node --import tsx
 * test/e2e/deploy-worker-process.ts` with the service's settings in its environment
 * (SLIPWAY_ROLE=worker, DATABASE_URL, the runner's state settings, GITHUB_API_URL…). It runs the
 * real service (startService) with synthesis through the terraform_data test kinds, where a web
 * service with an env `SLEEP` sleeps that many seconds when it is created. Its job leases last
 * LEASE_MS (default 30 s, the service's). Prints `ready` once its worker runs; stops on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ResolvedConfig } from '../../src/config/schema.ts';
import type { StateBackend } from '../../src/settings/runner-settings.ts';
import { startService } from '../../src/cli/serve.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { loadSettings } from '../../src/settings/load-settings.ts';
import { secret, testSynthesis, type Harness } from './service-harness.ts';

/** This file as a worker process of the harness's service (same database, GitHub double, state); resolves once it is ready. */
export async function startWorkerProcess(h: Harness, state: Extract<StateBackend, { kind: 'pg' }>, dataDir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], {
    // From the project (tsx is resolved from there); its settings all come from the environment.
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      APP_ID: String(h.github.appId),
      PRIVATE_KEY: h.github.privateKeyPem,
      WEBHOOK_SECRET: secret,
      GITHUB_API_URL: h.github.url,
      GITHUB_URL: h.service.deps.settings.githubUrl,
      DATABASE_URL: h.service.deps.settings.databaseUrl!,
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_ROLE: 'worker',
      SLIPWAY_WORKERS: '2',
      SLIPWAY_STATE_BACKEND: 'pg',
      SLIPWAY_STATE_DATABASE_URL: state.databaseUrl,
      SLIPWAY_STATE_SCHEMA: state.schema,
      ...env,
    },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code, signal) => reject(new Error(`the worker process exited ${code ?? signal}: ${err}`)));
  });
  return child;
}

/** A web service with `env: { SLEEP: <seconds> }` takes that long to create (a provisioner sleeps). */
export function sleepWhenAsked(doc: TerraformJson, config: ResolvedConfig): TerraformJson {
  const seconds = (config.services.web as { env?: Record<string, unknown> } | undefined)?.env?.SLEEP;
  if (typeof seconds !== 'string' || !/^\d+(\.\d+)?$/.test(seconds)) return doc;
  const data = doc.resource!.terraform_data as Record<string, Record<string, unknown>>;
  const key = Object.keys(data).find((k) => k.startsWith('web_service'))!;
  data[key] = { ...data[key], provisioner: [{ 'local-exec': { command: `sleep ${seconds}` } }] };
  return doc;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = loadSettings(process.env, process.cwd());
  const service = await startService(settings, {
    log: (m) => process.stderr.write(`${m}\n`),
    retryBaseMs: 1,
    worker: { pollMs: 50, retryBackoff: { baseMs: 20, maxMs: 100 }, shutdownGraceMs: 2_000, ...(process.env.LEASE_MS ? { leaseMs: Number(process.env.LEASE_MS) } : {}) },
    synthesize: testSynthesis(sleepWhenAsked),
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void service.stop().then(() => process.exit(0)));
}
