/**
 * Terraform runner figures (issue 14). Prints numbers; no asserts.
 *   node --import tsx bench/runner.bench.ts [--rounds N]
 * With DATABASE_URL set, Slipway's store and Terraform's state (pg backend, a database of its own)
 * are Postgres; otherwise the embedded store and local state in the work folder.
 * 1. Slipway's own time per deploy: a run's wall time minus the time spent in Terraform's child
 *    processes (init, plan, show, apply), over N deploys of a small app, each with a change —
 *    target p50 ≤ 100 ms.
 * 2. A 50-resource terraform_data app, from a recorded deployment to `succeeded` in a new workspace
 *    (init → plan → show → apply, plus Slipway's recording and log), against
 *    `terraform init && terraform apply -auto-approve` by hand on the same JSON in a new folder,
 *    alternating, side by side — target ≤ 1.5×. (The push job does not call the runner yet: the
 *    push's own steps, fetch and synthesis, are not in it; synthesis is printed apart.)
 * 3. `init` of a work folder already initialised (warm; with the pg backend also the workspace
 *    selection) — target ≤ 1 s. These configurations need no provider, so the plugin cache holds
 *    nothing to reuse: this times Terraform's own start-up and the backend.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../src/config/parse-config.ts';
import { resolveEnvironment } from '../src/config/resolve-environment.ts';
import { createRunner } from '../src/runner/create-runner.ts';
import { initTerraform } from '../src/runner/init-terraform.ts';
import { openDeploymentLog } from '../src/runner/open-deployment-log.ts';
import { prepareWorkFolder } from '../src/runner/prepare-work-folder.ts';
import { createRedactor } from '../src/runner/redact.ts';
import { runDeployment } from '../src/runner/run-deployment.ts';
import { terraformEnvironment } from '../src/runner/terraform-environment.ts';
import { withStateBackend } from '../src/runner/with-state-backend.ts';
import { workspaceName } from '../src/runner/workspace.ts';
import type { StateBackend } from '../src/settings/runner-settings.ts';
import { getOrCreateApp } from '../src/store/apps.ts';
import { createDeployment } from '../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../src/store/environments.ts';
import { localRepository } from '../src/store/local-repository.ts';
import { openStore } from '../src/store/open-store.ts';
import type { TerraformJson } from '../src/plan/terraform-json.ts';
import { synthesizeTestApp } from '../test/harness/terraform-data-kinds.ts';
import { createTestDatabase, openTestPglite } from '../test/store/engines.ts';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const postgresUrl = process.env.DATABASE_URL?.trim() || undefined;

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-runner-bench-'));
const storeDb = postgresUrl ? await createTestDatabase(postgresUrl) : undefined;
const stateDb = postgresUrl ? await createTestDatabase(postgresUrl) : undefined;
const store = storeDb ? await openStore({ databaseUrl: storeDb.url }) : await openTestPglite();
let state: StateBackend = { kind: 'local' };
if (stateDb) {
  const url = new URL(stateDb.url);
  url.searchParams.set('sslmode', 'disable');
  state = { kind: 'pg', databaseUrl: url.toString(), schema: 'slipway_state' };
}
const made = await createRunner({ settings: { state, timeoutMs: 600_000 }, dataDir, ...(storeDb ? { databaseUrl: storeDb.url } : {}), env: process.env });
if (!('runner' in made)) throw new Error(`bench needs Terraform: ${made.missing}`);
const runner = made.runner;

console.log(`runner bench: ${runner.terraform.name} ${runner.terraform.version}; store ${store.kind}; state ${state.kind}; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

function appYaml(name: string, services: number, sha: string): TerraformJson {
  const lines = [`version: 1`, `name: ${name}`, `services:`];
  lines.push(`  web: { type: web, image: "registry.example/${name}:\${sha}", instances: 2 }`);
  for (let i = 1; i < services; i++) lines.push(`  w${i}: { type: worker, image: "registry.example/${name}-w${i}:\${sha}", memory: 1Gi }`);
  const parsed = parseConfigText(lines.join('\n') + '\n', 'paas.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return synthesizeTestApp(resolveEnvironment(parsed.config, 'production'), { sha });
}

async function record(app: string, sha: string, doc: TerraformJson) {
  const repository = await localRepository(store.db, 'bench/runner');
  const row = await getOrCreateApp(store.db, { repositoryId: repository.id, name: app });
  const environment = await getOrCreateEnvironment(store.db, { appId: row.id, name: 'production' });
  return createDeployment(store.db, { appId: row.id, environmentId: environment.id, commitSha: sha, terraformJson: doc });
}

// 1. Slipway's own time per deploy.
{
  const app = 'own-time';
  const own: number[] = [];
  const total: number[] = [];
  const deploys = Math.max(10, rounds * 4);
  for (let i = 0; i <= deploys; i++) {
    const sha = `sha${String(i).padStart(6, '0')}`;
    const doc = appYaml(app, 3, sha);
    const t0 = performance.now();
    const deployment = await record(app, sha, doc);
    const recordMs = performance.now() - t0;
    const result = await runDeployment({ db: store.db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace: { app, environment: 'production' } });
    if (result.status !== 'succeeded') throw new Error(`deploy ${i}: ${result.status} ${JSON.stringify(result.failure)}`);
    if (i === 0) continue; // the first initialises the work folder
    own.push(recordMs + result.timings.totalMs - result.timings.terraformMs);
    total.push(recordMs + result.timings.totalMs);
  }
  console.log(`1. own time per deploy (record + run − Terraform processes), ${own.length} deploys of a 3-resource app: p50 ${ms(quantile(own, 0.5))}, p95 ${ms(quantile(own, 0.95))} (whole deploy p50 ${ms(quantile(total, 0.5))}) — target p50 ≤ 100 ms`);
}

// 2. 50 resources: the runner against Terraform by hand, side by side.
{
  const slipway: number[] = [];
  const byHand: number[] = [];
  const t0 = performance.now();
  appYaml('synth-probe', 50, 'probe');
  const synthMs = performance.now() - t0;
  for (let r = 0; r < rounds; r++) {
    const app = `fifty-${r}`;
    const doc = appYaml(app, 50, `round${r}`);
    const hand = async () => {
      const dir = mkdtempSync(join(dataDir, 'by-hand-'));
      const handDoc = withStateBackend(doc, state);
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(handDoc));
      const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state, workspace: `${app}.by-hand` });
      const start = performance.now();
      // By hand in a new workspace too; `TF_WORKSPACE` with pg makes init create it only in an empty schema, so select it as the runner does.
      const steps: string[][] = state.kind === 'pg'
        ? [['init', '-input=false'], ['workspace', 'select', '-or-create=true', `${app}.by-hand`], ['apply', '-auto-approve', '-input=false']]
        : [['init', '-input=false'], ['apply', '-auto-approve', '-input=false']];
      for (const args of steps) {
        const stepEnv = { ...env };
        if (args[0] === 'init') stepEnv.TF_WORKSPACE = 'default';
        if (args[0] === 'workspace') delete stepEnv.TF_WORKSPACE;
        const done = spawnSync(runner.terraform.path, args, { cwd: dir, env: stepEnv, encoding: 'utf8' });
        if (done.status !== 0) throw new Error(`by hand: terraform ${args.join(' ')}: ${done.stderr}`);
      }
      byHand.push(performance.now() - start);
    };
    const viaRunner = async () => {
      const start = performance.now();
      const deployment = await record(app, `round${r}`, doc);
      const result = await runDeployment({ db: store.db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace: { app, environment: 'production' } });
      if (result.status !== 'succeeded') throw new Error(`round ${r}: ${result.status} ${JSON.stringify(result.failure)}`);
      slipway.push(performance.now() - start);
    };
    // Alternate which goes first: the machine's load drifts.
    if (r % 2 === 0) {
      await viaRunner();
      await hand();
    } else {
      await hand();
      await viaRunner();
    }
  }
  const a = quantile(slipway, 0.5);
  const b = quantile(byHand, 0.5);
  console.log(`2. 50 terraform_data resources, new workspace, ${rounds} rounds: runner (record → succeeded) p50 ${ms(a)} [${slipway.map((x) => x.toFixed(0)).join(', ')}]; terraform init && apply by hand p50 ${ms(b)} [${byHand.map((x) => x.toFixed(0)).join(', ')}]; ratio ${(a / b).toFixed(2)}× — target ≤ 1.5× (synthesis of the 50-service app apart: ${ms(synthMs)})`);
}

// 3. Warm init.
{
  const app = 'own-time';
  const name = workspaceName({ app, environment: 'production' });
  const work = prepareWorkFolder(runner.root, name, withStateBackend(appYaml(app, 3, 'warm'), state), 0);
  const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state, workspace: name });
  const samples: number[] = [];
  const log = openDeploymentLog(store.db, 1, { redactor: createRedactor(), limitBytes: 1 });
  for (let i = 0; i < Math.max(5, rounds * 2); i++) {
    const start = performance.now();
    const run = await initTerraform({ runner, dir: work.dir, env, log });
    if (!run.ok) throw new Error(`init: ${run.lastLines.join('\n')}`);
    samples.push(performance.now() - start);
  }
  await log.close();
  console.log(`3. warm init (${state.kind === 'pg' ? 'init + workspace select' : 'init'}), ${samples.length} runs: p50 ${ms(quantile(samples, 0.5))}, max ${ms(Math.max(...samples))} — target ≤ 1 s`);
}

await runner.locks.close();
await store.close();
await storeDb?.drop();
await stateDb?.drop();
rmSync(dataDir, { recursive: true, force: true });
