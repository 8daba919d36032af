/**
 * `git push` → deployed (issue 14, phase 2). Prints numbers; no asserts.
 *   node --import tsx bench/push-deploy.bench.ts [--rounds N]
 * The service in this process as the e2e tests run it (real HTTP webhook, git smart-HTTP server,
 * GitHub double, the real Terraform applying the terraform_data test kinds); with DATABASE_URL the
 * store is Postgres and the state the pg backend, otherwise the embedded store and local state.
 * 1. Push → `success`: from sending the webhook to the GitHub Deployment's `success` status, for a
 *    code-only push of a 3-resource app, with where the time goes (push job, queue, runner, report).
 * 2. A 50-resource app pushed to a new workspace → `success`, against `terraform init && terraform
 *    apply -auto-approve` by hand on the same JSON, alternating — target ≤ 1.5×.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { parseConfigText } from '../src/config/parse-config.ts';
import { resolveEnvironment } from '../src/config/resolve-environment.ts';
import { terraformEnvironment } from '../src/runner/terraform-environment.ts';
import { withStateBackend } from '../src/runner/with-state-backend.ts';
import { deploymentEvents, deployments, webhookDeliveries } from '../src/store/schema.ts';
import { pushPayload } from '../test/harness/payloads.ts';
import { synthesizeTestApp } from '../test/harness/terraform-data-kinds.ts';
import { testStateBackend } from '../test/runner/runner-fixtures.ts';
import { eventually, startHarness } from '../test/e2e/service-harness.ts';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const partArg = process.argv.indexOf('--part');
const part = partArg > 0 ? Number(process.argv[partArg + 1]) : undefined; // --part 1 or 2: only that one
const quantile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;

const { state, drop } = await testStateBackend();
const h = await startHarness({}, { terraform: { state } });
const runner = h.service.deps.runner!;
const db = h.service.deps.store.db;
// Each Terraform command's wall time, by step (init, plan, show, apply), for the stage lines.
const phases = new Map<string, number[]>();
const observed = runner.observePhase;
runner.observePhase = (step, ok, seconds) => {
  phases.set(step, [...(phases.get(step) ?? []), seconds * 1000]);
  observed?.(step, ok, seconds);
};
const phaseMedians = () => [...phases].map(([step, xs]) => `${step} ${ms(quantile(xs, 0.5))} ×${xs.length}`).join(', ');
console.log(`push → deploy bench: ${runner.terraform.name} ${runner.terraform.version}; store ${h.service.deps.store.kind}; state ${state.kind}; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

function yaml(name: string, services: number): string {
  const lines = [`version: 1`, `name: ${name}`, `services:`, `  web: { type: web, image: "registry.example/${name}:\${sha}", port: 8080, instances: 2 }`];
  for (let i = 1; i < services; i++) lines.push(`  w${i}: { type: worker, image: "registry.example/${name}-w${i}:\${sha}", memory: 1Gi }`);
  return lines.join('\n') + '\n';
}

type Timeline = { total: number; pushJob: number; queue: number; runner: number; plan: number; gate: number; apply: number; report: number };

async function pushAndWait(repo: Awaited<ReturnType<typeof h.repo>>, sha: string, before?: string): Promise<Timeline> {
  const start = Date.now();
  const t0 = performance.now();
  await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha, ...(before ? { before } : {}) }));
  const gh = await eventually('the success status', () => {
    const d = h.github.deployments.find((x) => x.repo === repo.fullName && x.sha === sha);
    const s = d && h.github.statuses.find((x) => x.deployment_id === d.id && (x.state === 'success' || x.state === 'failure'));
    return s;
  }, 300_000);
  const total = performance.now() - t0;
  if (gh.state !== 'success') throw new Error(`not deployed: ${gh.description}`);
  const [row] = await db.select().from(deployments).where(eq(deployments.commitSha, sha));
  const events = await db.select().from(deploymentEvents).where(eq(deploymentEvents.deploymentId, row!.id));
  const time = (status: string) => events.find((e) => e.status === status)!.at.getTime();
  const created = time('queued');
  const planning = time('planning');
  const planned = time('planned');
  const applying = time('applying');
  const succeeded = time('succeeded');
  return {
    total,
    pushJob: created - start,
    queue: planning - created,
    runner: succeeded - planning,
    plan: planned - planning,
    gate: applying - planned,
    apply: succeeded - applying,
    report: start + total - succeeded,
  };
}

/** Medians of each stage: the push job (webhook → queued), the queue (→ planning), init + plan + show (→ planned), the checks before applying (→ applying), the apply (→ succeeded), reporting (→ GitHub's success). */
function stages(lines: Timeline[]): string {
  const p50 = (k: keyof Timeline) => ms(quantile(lines.map((l) => l[k]), 0.5));
  return `push job ${p50('pushJob')}, queue ${p50('queue')}, runner (planning → succeeded) ${p50('runner')} = plan ${p50('plan')} + checks ${p50('gate')} + apply ${p50('apply')}, report ${p50('report')}`;
}

// 1. Code-only pushes of a small app.
if (part !== 2) {
  const repo = await h.repo('bench/small');
  let previous = await repo.commit({ 'paas.yaml': yaml('small', 3), 'src/app.js': '0\n' });
  await pushAndWait(repo, previous); // the first initialises the work folder
  const lines: Timeline[] = [];
  for (let i = 1; i <= Math.max(5, rounds * 2); i++) {
    const sha = await repo.commit({ 'src/app.js': `${i}\n` });
    lines.push(await pushAndWait(repo, sha, previous));
    previous = sha;
  }
  console.log(`1. push → success, ${lines.length} code-only pushes of a 3-resource app: p50 ${ms(quantile(lines.map((l) => l.total), 0.5))}, p95 ${ms(quantile(lines.map((l) => l.total), 0.95))}; medians: ${stages(lines)}`);
}

// 2. 50 resources, new workspace, against Terraform by hand.
if (part !== 1) {
  const slipway: number[] = [];
  const timelines: Timeline[] = [];
  const byHand: number[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-push-bench-'));
  for (let r = 0; r < rounds; r++) {
    const name = `fifty-${r}`;
    const repo = await h.repo(`bench/${name}`);
    const sha = await repo.commit({ 'paas.yaml': yaml(name, 50) });
    const parsed = parseConfigText(yaml(name, 50), 'paas.yaml');
    if (!parsed.ok) throw new Error('bad yaml');
    const doc = synthesizeTestApp(resolveEnvironment(parsed.config, 'production'), { sha });
    const viaPush = async () => {
      const line = await pushAndWait(repo, sha);
      timelines.push(line);
      slipway.push(line.total);
    };
    const hand = async () => {
      const dir = mkdtempSync(join(dataDir, 'by-hand-'));
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(withStateBackend(doc, state)));
      const { env } = terraformEnvironment({ base: process.env, cliConfigFile: runner.cliConfigFile, pluginCacheDir: runner.pluginCacheDir, state, workspace: `${name}.by-hand` });
      const start = performance.now();
      const steps: string[][] = state.kind === 'pg'
        ? [['init', '-input=false'], ['workspace', 'select', '-or-create=true', `${name}.by-hand`], ['apply', '-auto-approve', '-input=false']]
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
    if (r % 2 === 0) {
      await viaPush();
      await hand();
    } else {
      await hand();
      await viaPush();
    }
  }
  const a = quantile(slipway, 0.5);
  const b = quantile(byHand, 0.5);
  console.log(`2. 50 terraform_data resources, new workspace, ${rounds} rounds: push → success p50 ${ms(a)} [${slipway.map((x) => x.toFixed(0)).join(', ')}]; terraform init && apply by hand p50 ${ms(b)} [${byHand.map((x) => x.toFixed(0)).join(', ')}]; ratio ${(a / b).toFixed(2)}× — target ≤ 1.5×; medians: ${stages(timelines)}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const [delivery] = await db.select({ outcome: webhookDeliveries.outcome }).from(webhookDeliveries).where(eq(webhookDeliveries.event, 'push')).orderBy(desc(webhookDeliveries.processedAt)).limit(1);
  console.log(`   the last push job: ${delivery?.outcome}`);
  console.log(`   Terraform's commands (medians over every push of this run): ${phaseMedians()}`);
  rmSync(dataDir, { recursive: true, force: true });
}

await h.close();
await drop();
