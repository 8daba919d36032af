/**
 * What Terraform's own plan costs a pull request (issue 14, item 6). Prints numbers; no asserts.
 *   node --import tsx bench/speculative-plan.bench.ts [--rounds N]
 * With DATABASE_URL set, Terraform's state is in Postgres (pg backend, a database of its own);
 * otherwise local state in the work folder. A 50-resource terraform_data app is applied once; then,
 * alternating per round, for a new commit (every resource changes):
 *  - the speculative plan the PR job makes (fresh folder, init, plan -lock=false, show -json, read),
 *    split into Terraform's processes (with reading show -json) and the rest;
 *  - the inferred diff it replaces (evaluateApp against the applied document), for scale;
 *  - the same plan by hand: `terraform init && terraform plan -lock=false -out && terraform show -json`
 *    in a new folder on the same backend.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppsFromFiles } from '../src/config/load.ts';
import { evaluateApp } from '../src/evaluate/evaluate-app.ts';
import { createRunner } from '../src/runner/create-runner.ts';
import { runDeployment } from '../src/runner/run-deployment.ts';
import { speculativePlan } from '../src/runner/speculative-plan.ts';
import { terraformEnvironment } from '../src/runner/terraform-environment.ts';
import type { StateBackend } from '../src/settings/runner-settings.ts';
import { getOrCreateApp } from '../src/store/apps.ts';
import { createDeployment } from '../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../src/store/environments.ts';
import { localRepository } from '../src/store/local-repository.ts';
import { synthesizeTestApp } from '../test/harness/terraform-data-kinds.ts';
import { createTestDatabase, openTestPglite } from '../test/store/engines.ts';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const postgresUrl = process.env.DATABASE_URL?.trim() || undefined;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-speculative-bench-'));
const stateDb = postgresUrl ? await createTestDatabase(postgresUrl) : undefined;
const store = await openTestPglite();
let state: StateBackend = { kind: 'local' };
if (stateDb) {
  const url = new URL(stateDb.url);
  url.searchParams.set('sslmode', 'disable');
  state = { kind: 'pg', databaseUrl: url.toString(), schema: 'slipway_state' };
}
const made = await createRunner({ settings: { state, timeoutMs: 600_000 }, dataDir, env: process.env });
if (!('runner' in made)) throw new Error(`bench needs Terraform: ${made.missing}`);
const runner = made.runner;
console.log(`speculative plan bench: ${runner.terraform.name} ${runner.terraform.version}; state ${state.kind}; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const app = 'fifty';
const lines = ['version: 1', `name: ${app}`, 'services:', `  web: { type: web, image: "registry.example/${app}:\${sha}", instances: 2 }`];
for (let i = 1; i < 50; i++) lines.push(`  w${i}: { type: worker, image: "registry.example/${app}-w${i}:\${sha}", memory: 1Gi }`);
const loaded = loadAppsFromFiles({ 'paas.yaml': `${lines.join('\n')}\n` }).apps[0]!;
const synthesize = synthesizeTestApp;
const evaluate = (sha: string, base: ReturnType<typeof synthesizeTestApp> | null) => evaluateApp({ app: loaded, environment: 'production', sha, base, synthesize });

// The applied base.
const applied = evaluate('base000', null).terraform;
{
  const repository = await localRepository(store.db, 'bench/speculative');
  const row = await getOrCreateApp(store.db, { repositoryId: repository.id, name: app });
  const environment = await getOrCreateEnvironment(store.db, { appId: row.id, name: 'production' });
  const deployment = await createDeployment(store.db, { appId: row.id, environmentId: environment.id, commitSha: 'base000', terraformJson: applied });
  const result = await runDeployment({ db: store.db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: applied, workspace: { app, environment: 'production' } });
  if (result.status !== 'succeeded') throw new Error(`base apply: ${result.status} ${JSON.stringify(result.failure)}`);
}

const speculative: number[] = [];
const terraformPart: number[] = [];
const inferred: number[] = [];
const byHand: number[] = [];
for (let r = 0; r < rounds; r++) {
  const sha = `head${String(r).padStart(3, '0')}`;
  const t0 = performance.now();
  const desired = evaluate(sha, applied);
  inferred.push(performance.now() - t0);

  const planned = await speculativePlan(runner, { workspace: { app, environment: 'production' }, terraformJson: desired.terraform });
  if (!planned.ok) throw new Error(planned.reason);
  if (planned.plan.summary.update < 50) throw new Error(`expected every resource to change: ${JSON.stringify(planned.plan.summary)}`);
  speculative.push(planned.timings.totalMs);
  terraformPart.push(planned.timings.terraformMs);

  const dir = mkdtempSync(join(dataDir, 'by-hand-'));
  const backend = state.kind === 'pg' ? { pg: {} } : { local: { path: join(runner.root, 'work', `${app}.production`, 'terraform.tfstate') } };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ ...desired.terraform, terraform: { ...desired.terraform.terraform, backend } }));
  const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state, workspace: `${app}.production` });
  const start = performance.now();
  for (const args of [['init', '-input=false', '-lock=false'], ['plan', '-input=false', '-lock=false', '-out=p.tfplan'], ['show', '-json', 'p.tfplan']]) {
    const stepEnv: Record<string, string> = { ...env };
    if (args[0] === 'init') stepEnv.TF_WORKSPACE = 'default';
    const done = spawnSync(runner.terraform.path, args, { cwd: dir, env: stepEnv, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (done.status !== 0) throw new Error(`by hand: terraform ${args.join(' ')}: ${done.stderr}`);
  }
  byHand.push(performance.now() - start);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`50-resource app, every resource changed, ${rounds} rounds (medians):`);
const own = speculative.map((total, i) => total - terraformPart[i]!);
console.log(`  speculative plan (PR job, per app): ${ms(median(speculative))}; Slipway's own part (folder, document, the rest outside Terraform's processes and reading show -json) ${median(own).toFixed(1)} ms`);
console.log(`  the same by hand (init, plan -lock=false -out, show -json): ${ms(median(byHand))} → ${(median(speculative) / median(byHand)).toFixed(2)}×`);
console.log(`  the inferred diff it replaces (synthesis + diff + cost + no policies): ${ms(median(inferred))}`);

await runner.locks.close();
await store.close();
await stateDb?.drop();
rmSync(dataDir, { recursive: true, force: true });
