/**
 * A worker process for the multi-process tests: `node --import tsx test/jobs/worker-process.ts`
 * with DATABASE_URL, KIND and WORKER_ID. Each run of a job is counted in `test_job_runs` (one row
 * per job, `runs` incremented); a job on its first attempt with `{ hang: true }` records itself in
 * `test_job_starts` and then hangs, so that the test can SIGKILL the process holding it.
 * Stops gracefully on SIGTERM.
 */
import { sql } from 'drizzle-orm';
import { runWorker } from '../../src/jobs/run-worker.ts';
import { openStore } from '../../src/store/open-store.ts';

const store = await openStore({ databaseUrl: process.env.DATABASE_URL, log: (m) => process.stderr.write(`${m}\n`) });
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
const kind = process.env.KIND!;
process.stdout.write('ready\n');
await runWorker({
  store,
  workerId: process.env.WORKER_ID!,
  pollMs: 200,
  leaseMs: Number(process.env.LEASE_MS ?? 5_000),
  concurrency: 2,
  signal: controller.signal,
  shutdownGraceMs: 2_000,
  log: (m) => process.stderr.write(`${m}\n`),
  handlers: {
    [kind]: async (job) => {
      if ((job.payload as { hang?: boolean }).hang && job.attempts === 1) {
        await store.db.execute(sql`insert into test_job_starts (job_id, worker) values (${job.id}, ${process.env.WORKER_ID!})`);
        await new Promise((resolve) => setTimeout(resolve, 120_000));
      }
      await store.db.execute(sql`
        insert into test_job_runs (job_id, runs, worker) values (${job.id}, 1, ${process.env.WORKER_ID!})
        on conflict (job_id) do update set runs = test_job_runs.runs + 1`);
    },
  },
});
await store.close();
process.stdout.write('stopped\n');
