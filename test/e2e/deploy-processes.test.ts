/**
 * One app and environment, pushed twice while the first push applies: the second waits (the deploy
 * job's concurrency key, then the deploy lock), is never run beside it, does not interrupt it, and
 * plans afresh against what the first applied. On Postgres a second worker process (the real
 * service, SLIPWAY_ROLE=worker) competes for the jobs; on the embedded store, one process's four
 * worker slots do.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { deploymentHistory } from '../../src/store/deployments.ts';
import { deploymentEvents, deployments } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';
import { testStateBackend } from '../runner/runner-fixtures.ts';
import { unique } from '../store/engines.ts';
import { sleepWhenAsked, startWorkerProcess } from './deploy-worker-process.ts';
import { eventually, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
let dropState: () => Promise<void> = async () => {};
let second: ChildProcess | undefined;
let secondDir: string | undefined;
before(async () => {
  const { state, drop } = await testStateBackend();
  dropState = drop;
  h = await startHarness({}, { terraform: { state, transform: sleepWhenAsked } });
  const databaseUrl = h.service.deps.settings.databaseUrl;
  if (databaseUrl && state.kind === 'pg') {
    secondDir = mkdtempSync(join(tmpdir(), 'slipway-worker-2-'));
    second = await startWorkerProcess(h, state, secondDir);
  }
});
after(async () => {
  if (second && second.exitCode === null) {
    second.kill('SIGTERM');
    await new Promise((resolve) => second!.once('exit', resolve));
  }
  await h?.close();
  await dropState();
  if (secondDir) rmSync(secondDir, { recursive: true, force: true });
});

const db = () => h.service.deps.store.db;
const ended = (sha: string) =>
  eventually(`the deployment of ${sha.slice(0, 8)} to end`, async () => {
    const [row] = await db().select().from(deployments).where(eq(deployments.commitSha, sha));
    return row && ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'].includes(row.status) && (await deploymentHistory(db(), row.id)).at(-1)?.status === row.status ? row : undefined;
  }, 120_000);

describe(`two pushes of one app and environment while the first applies (${process.env.DATABASE_URL ? 'two worker processes on Postgres' : 'one process, four worker slots'})`, () => {
  it('runs one apply at a time: the newer push waits, never interrupts the apply in progress, and plans afresh after it', async () => {
    const name = unique('slow');
    const repo = await h.repo(`acme/${name}`);
    const first = await repo.commit({ 'paas.yaml': `version: 1\nname: ${name}\nservices:\n  web:\n    type: web\n    image: ghcr.io/acme/${name}:\${sha}\n    port: 8080\n    env:\n      SLEEP: "3"\n` });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: first }));
    await eventually('the first push to apply', async () => {
      const [row] = await db().select().from(deployments).where(eq(deployments.commitSha, first));
      return row?.status === 'applying' || undefined;
    }, 60_000);
    const newer = await repo.commit({ 'src/app.js': 'v2\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: first, after: newer }));

    const a = await ended(first);
    const b = await ended(newer);
    assert.equal(a.status, 'succeeded', `the apply in progress finished: ${JSON.stringify(a.failure)}`);
    assert.equal(b.status, 'succeeded', JSON.stringify(b.failure));
    const events = await db().select().from(deploymentEvents);
    const at = (id: number, status: string) => events.filter((e) => e.deploymentId === id && e.status === status).map((e) => e.id);
    assert.ok(Math.min(...at(b.id, 'planning')) > Math.max(...at(a.id, 'succeeded')), 'the newer one planned only after the first applied');
    const plan = b.terraformPlan as { resources: Array<{ action: string }> };
    assert.deepEqual(plan.resources.map((r) => r.action), ['update'], 'planned against what the first applied');
  });
});
