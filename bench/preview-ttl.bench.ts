/**
 * The reconcile tick's preview sweep over 100 open previews, none expired (figure to reach: ≤ 1 s,
 * no Terraform process started). 100 repositories, one app each with an open preview whose TTL
 * ends tomorrow; the service's deps with a real Terraform runner whose binary is a shim that
 * counts its starts before running /usr/local/bin/terraform (or SLIPWAY_TERRAFORM). Prints the
 * sweep's wall time (the tick's `previews` step, and the sweep called alone), and the Terraform
 * processes started. The store is embedded PGlite (in memory), or Postgres with DATABASE_URL.
 *   node --import tsx bench/preview-ttl.bench.ts [--previews 100] [--rounds 20]
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeps } from '../src/deps.ts';
import { sweepPreviews } from '../src/previews/sweep-previews.ts';
import { reconcileTick } from '../src/reconcile/reconcile-tick.ts';
import { createRunner } from '../src/runner/create-runner.ts';
import { defaultReconcileSettings } from '../src/settings/reconcile-settings.ts';
import { defaultRunnerSettings } from '../src/settings/runner-settings.ts';
import { getOrCreateApp } from '../src/store/apps.ts';
import { getOrCreateEnvironment } from '../src/store/environments.ts';
import { upsertInstallation } from '../src/store/installations.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { updatePreview, upsertPreview } from '../src/store/previews.ts';
import { upsertRepositories } from '../src/store/repositories.ts';
import { startGitHubDouble } from '../test/harness/github-double.ts';
import { createTestDatabase, openTestPglite } from '../test/store/engines.ts';

const { values } = parseArgs({ options: { previews: { type: 'string', default: '100' }, rounds: { type: 'string', default: '20' } } });
const count = Number(values.previews);
const rounds = Number(values.rounds);

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-preview-ttl-bench-'));
// Every Terraform start goes through this shim, which appends a line to `starts` first.
const starts = join(dataDir, 'terraform-starts');
const shim = join(mkdtempSync(join(tmpdir(), 'slipway-terraform-shim-')), 'terraform');
const real = process.env.SLIPWAY_TERRAFORM ?? '/usr/local/bin/terraform';
writeFileSync(shim, `#!/bin/sh\necho "$*" >> ${starts}\nexec ${real} "$@"\n`);
chmodSync(shim, 0o755);
const started = () => (existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').filter(Boolean).length : 0);

const github = await startGitHubDouble({ resolveRef: () => 'a'.repeat(40) });
const database = process.env.DATABASE_URL ? await createTestDatabase(process.env.DATABASE_URL) : undefined;
const store: Store = database ? await openStore({ databaseUrl: database.url }) : await openTestPglite();

const now = new Date();
const installationId = 20_000;
const names = Array.from({ length: count }, (_, i) => `acme/app${i}`);
github.addInstallation({ id: installationId, account: 'acme', repositories: names });
await upsertInstallation(store.db, { id: installationId, accountLogin: 'acme' });
await upsertRepositories(store.db, installationId, names.map((fullName, i) => ({ id: i + 1, fullName, defaultBranch: 'main' })));
for (let i = 0; i < count; i++) {
  const app = await getOrCreateApp(store.db, { repositoryId: i + 1, name: `app${i}` });
  const env = await getOrCreateEnvironment(store.db, { appId: app.id, name: `pr-${i + 1}`, kind: 'preview', pullRequest: i + 1 });
  await upsertPreview(store.db, { environmentId: env.id, appId: app.id, pullRequest: i + 1, headSha: 'b'.repeat(40), fork: false, lastPushAt: now, ttlSeconds: 86_400, githubEnvironment: `pr-${i + 1}` });
  await updatePreview(store.db, env.id, { expiresAt: new Date(now.getTime() + 86_400_000), monthlyUsd: 40, pricedSince: now });
}

const settings = {
  appId: github.appId,
  privateKey: github.privateKeyPem,
  webhookSecret: 'bench',
  githubApiUrl: github.url,
  dataDir,
  port: 0,
  host: '127.0.0.1',
  role: 'all' as const,
  workers: 1,
  runner: { ...defaultRunnerSettings, terraform: shim },
  reconcile: defaultReconcileSettings,
  ...(database ? { databaseUrl: database.url } : {}),
};
const created = await createRunner({ settings: settings.runner, dataDir, env: process.env });
if (!('runner' in created)) throw new Error(`no Terraform: ${created.missing}`);
const deps = buildDeps(settings, store, { log: () => {}, runner: created.runner });
const before = started(); // createRunner asked the shim for its version

const tickMs: number[] = [];
const sweepMs: number[] = [];
let expired = 0;
for (let r = 0; r < rounds; r++) {
  const summary = await reconcileTick(deps);
  tickMs.push(summary.ms?.previews ?? NaN);
  expired += summary.previewsExpired ?? 0;
  const t0 = performance.now();
  const swept = await sweepPreviews(deps, deps.now());
  sweepMs.push(performance.now() - t0);
  expired += swept.expired;
}
const terraformStarts = started() - before;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
};
const [load1] = (await import('node:os')).loadavg();
console.log(`preview TTL sweep over ${count} open previews, none expired (${database ? 'Postgres' : 'PGlite'}, ${rounds} rounds, load average ${load1!.toFixed(2)}):`);
console.log(`  the tick's previews step: ${stats(tickMs)}`);
console.log(`  sweepPreviews alone:      ${stats(sweepMs)}`);
console.log(`  previews expired: ${expired}; Terraform processes started during the sweeps: ${terraformStarts} (the shim counted ${before} at start-up: \`terraform version\`)`);
console.log(`  target: <= 1000 ms and 0 processes: ${Math.max(...tickMs, ...sweepMs) <= 1000 && terraformStarts === 0 ? 'met' : 'NOT met'}`);

deps.close();
await store.close();
await database?.drop();
await github.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(join(shim, '..'), { recursive: true, force: true });
