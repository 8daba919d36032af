/**
 * `slipway reconcile --once`: run one reconcile tick now, through the job queue like the service's
 * own ticks (so still one at a time: with a service running on the same Postgres, this waits for
 * its tick to end), and print what it did. The pushes it finds missing are enqueued for the
 * service's workers.
 */
import { randomUUID } from 'node:crypto';
import type { CliIo } from './io.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const usage = `Usage: slipway reconcile --once [--json]

Runs one reconcile tick: redelivers failed webhook deliveries, reads default-branch heads and
enqueues pushes Slipway never received, checks drift that is due, prunes old records.
Configured like slipway serve (APP_ID, PRIVATE_KEY, DATABASE_URL or SLIPWAY_DATA_DIR, …).
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('reconcile', args, { once: { type: 'boolean' }, json: { type: 'boolean' } }, usage, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 0 || !values.once) {
    io.stderr(`slipway reconcile: ${positionals.length > 0 ? `unexpected argument "${positionals[0]}"` : 'say --once (the service runs ticks by itself)'}\n${usage}`);
    return 2;
  }
  const [{ loadSettings, SettingsError }, { openStore }, { databaseDir }, { StoreError }] = await Promise.all([
    import('../settings/load-settings.ts'),
    import('../store/open-store.ts'),
    import('../store/store-options.ts'),
    import('../store/store-error.ts'),
  ]);
  let settings;
  let store;
  try {
    settings = loadSettings(io.env, io.cwd);
    store = await openStore(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : { dataDir: databaseDir(settings.dataDir) });
  } catch (error) {
    if (error instanceof SettingsError || error instanceof StoreError) {
      io.stderr(`slipway reconcile: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const log = (m: string) => io.stderr(`${m}\n`);
  const [{ buildDeps }, { runWorker }, { tickJobHandlers, requestTick, waitForJob }, { startRunner }, { findTickOfJob }] = await Promise.all([
    import('../deps.ts'),
    import('../jobs/index.ts'),
    import('../reconcile/tick-job.ts'),
    import('../runner/start-runner.ts'),
    import('../store/reconcile-ticks.ts'),
  ]);
  const runner = await startRunner({ settings: settings.runner, dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, env: io.env, log: () => {}, db: store.db });
  const deps = buildDeps(settings, store, { log, ...(runner ? { runner } : {}) });
  const controller = new AbortController();
  try {
    const jobId = await requestTick(store.db);
    const worker = runWorker({ store, handlers: tickJobHandlers(deps), workerId: `slipway-reconcile-${process.pid}-${randomUUID().slice(0, 8)}`, signal: controller.signal, pollMs: 250, log });
    const job = await waitForJob(store.db, jobId, { pollMs: 100 });
    controller.abort(new Error('done'));
    await worker;
    const tick = await findTickOfJob(store.db, jobId);
    if (job.status !== 'completed' || !tick?.summary) {
      io.stderr(`slipway reconcile: the tick ${job.status === 'completed' ? 'left no summary' : `ended ${job.status}: ${job.lastError ?? ''}`}\n`);
      return 1;
    }
    const s = tick.summary;
    if (values.json) io.stdout(`${JSON.stringify({ tick: tick.id, startedAt: tick.startedAt, finishedAt: tick.finishedAt, ...s }, null, 2)}\n`);
    else {
      io.stdout(
        [
          `tick ${tick.id} (${Math.round((tick.finishedAt!.getTime() - tick.startedAt.getTime()))} ms)`,
          `deliveries: ${s.deliveriesSeen} seen, ${s.redelivered} redelivered, ${s.redeliveryRefused} refused`,
          `heads: ${s.polled} read, ${s.notModified} unchanged (304), ${s.enqueued} missed pushes enqueued, ${s.deferred} left to the next tick`,
          `drift: ${s.driftChecked} checked, ${s.drifted} drifted, ${s.healed} healed`,
          `pruned: ${Object.entries(s.pruned).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing'}`,
          ...(s.problems.length > 0 ? [`problems (recorded and skipped):`, ...s.problems.map((p) => `  - ${p}`)] : []),
        ].join('\n') + '\n',
      );
    }
    return 0;
  } finally {
    controller.abort(new Error('done'));
    await deps.runner?.locks.close();
    deps.close();
    await store.close();
  }
}
