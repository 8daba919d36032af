// However many Slipway processes run, one reconcile tick runs at a time: every tick is a job with
// the same concurrency key, held under a lease. Checked with a second worker beside the service's
// (every engine), with two `slipway reconcile --once` processes at once (Postgres, where several
// processes share one store), and for the schedule: the next slot's tick exists once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { runWorker } from '../../src/jobs/run-worker.ts';
import { requestTick, scheduleNextTick, tickJobHandlers, tickJobKind, waitForJob } from '../../src/reconcile/tick-job.ts';
import { defaultReconcileSettings } from '../../src/settings/reconcile-settings.ts';
import { jobs, reconcileTicks } from '../../src/store/schema.ts';
import { startHarness, type Harness } from '../e2e/service-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const db = () => h.service.deps.store.db;

function assertNoOverlap(rows: Array<{ id: number; startedAt: Date; finishedAt: Date | null }>) {
  const sorted = [...rows].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    assert.ok(previous.finishedAt, `tick ${previous.id} finished`);
    assert.ok(sorted[i]!.startedAt >= previous.finishedAt, `tick ${sorted[i]!.id} started at ${sorted[i]!.startedAt.toISOString()}, before tick ${previous.id} ended at ${previous.finishedAt.toISOString()}`);
  }
}

describe('one tick at a time', () => {
  it('runs ticks asked for at once one after another, across two workers', async () => {
    // Each tick's first GitHub request takes 300 ms: ticks that could overlap would.
    h.github.injectFault({ method: 'GET', path: '/app/hook/deliveries', delayMs: 300, times: 3 });
    const controller = new AbortController();
    const second = runWorker({ store: h.service.deps.store, handlers: tickJobHandlers(h.service.deps), workerId: `second-${randomUUID().slice(0, 6)}`, signal: controller.signal, pollMs: 20, concurrency: 2 });
    try {
      const ids = await Promise.all([requestTick(db()), requestTick(db()), requestTick(db())]);
      for (const id of ids) assert.equal((await waitForJob(db(), id, { pollMs: 20 })).status, 'completed');
      const rows = await db().select().from(reconcileTicks);
      const ours = rows.filter((r) => r.jobId !== null && ids.includes(r.jobId));
      assert.equal(ours.length, 3);
      assertNoOverlap(ours);
    } finally {
      controller.abort();
      await second;
    }
  });

  it('schedules the next slot’s tick once, however many processes ask, at the slot’s start plus up to the jitter', async () => {
    const settings = { ...defaultReconcileSettings, intervalMs: 60_000, jitterMs: 10_000 };
    const now = new Date(Date.UTC(2030, 0, 1, 0, 0, 30));
    await Promise.all([scheduleNextTick(db(), settings, now, () => 0.5), scheduleNextTick(db(), settings, now, () => 0.9), scheduleNextTick(db(), settings, new Date(now.getTime() + 20_000), () => 0.1)]);
    const slot = Math.floor(now.getTime() / 60_000) + 1;
    const rows = await db().select().from(jobs).where(eq(jobs.idempotencyKey, `reconcile.tick:${slot}`));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.kind, tickJobKind);
    const start = slot * 60_000;
    assert.ok(rows[0]!.runAt.getTime() >= start && rows[0]!.runAt.getTime() < start + 10_000, rows[0]!.runAt.toISOString());
    await db().update(jobs).set({ status: 'cancelled' }).where(eq(jobs.id, rows[0]!.id)); // not for this test run to work
  });

  // Several processes share one store only on Postgres (the embedded database is one process's).
  if (process.env.DATABASE_URL) {
    it('lets two `slipway reconcile --once` processes started together run their ticks one after the other', async () => {
      h.github.injectFault({ method: 'GET', path: '/app/hook/deliveries', delayMs: 600, times: 2 });
      const env = {
        ...process.env,
        APP_ID: String(h.github.appId),
        PRIVATE_KEY: h.github.privateKeyPem,
        WEBHOOK_SECRET: 'unused',
        GITHUB_API_URL: h.github.url,
        DATABASE_URL: h.service.deps.settings.databaseUrl!,
        SLIPWAY_DATA_DIR: h.dataDir,
        SLIPWAY_TERRAFORM: '',
        PATH: '/usr/bin:/bin', // no Terraform: drift checks need none here
      };
      const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
      const runOnce = () =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [bin, 'reconcile', '--once', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
      const [a, b] = await Promise.all([runOnce(), runOnce()]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const ticks = [JSON.parse(a.stdout).tick, JSON.parse(b.stdout).tick] as number[];
      const rows = (await db().select().from(reconcileTicks)).filter((r) => ticks.includes(r.id));
      assert.equal(rows.length, 2);
      assertNoOverlap(rows);
    });
  }
});
