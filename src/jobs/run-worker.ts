/**
 * The worker loop: claim a job, run its handler while extending the lease, then complete it or
 * record the failure. Idle slots sleep until a NOTIFY on the jobs channel (or `pollMs`, whichever
 * comes first). Database errors are logged and retried with backoff; they never end the loop.
 * On abort (SIGTERM), no new job is claimed; a running handler sees `ctx.signal` aborted and has
 * `shutdownGraceMs` to finish (the job is completed) or give up (the job is released, attempt not
 * counted, for another worker to run).
 */
import type { LogFields } from '../ops/log-fields.ts';
import type { ServiceMetrics } from '../ops/service-metrics.ts';
import type { Store } from '../store/store.ts';
import type { Job } from '../store/schema.ts';
import { causeMessage } from '../store/store-error.ts';
import { backoffMs, type BackoffOptions } from './backoff.ts';
import { jobsChannel } from './channel.ts';
import { claim } from './claim.ts';
import { complete, extendLease, release, type JobLease } from './complete.ts';
import { fail } from './fail.ts';

export type JobContext = {
  /** Aborted on shutdown or when the lease was lost: stop early if you can. */
  signal: AbortSignal;
  /** Hold the job for another `ms` (default: the worker's leaseMs); false if the lease was lost. */
  extendLease: (ms?: number) => Promise<boolean>;
};
export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

export type WorkerOptions = {
  store: Store;
  handlers: Record<string, JobHandler>;
  /**
   * Per kind, what to do with a job whose worker died (its lease expired) on every attempt: run
   * once in place of the handler, so that the job's records do not stay half-done. The job is dead
   * afterwards whatever it does. A kind without one is buried as it is.
   */
  giveUp?: Record<string, JobHandler>;
  workerId: string;
  /** Longest idle sleep when no NOTIFY arrives (default 1,000 ms). */
  pollMs?: number;
  /** How long a claim holds a job before another worker may take it (default 30 s). */
  leaseMs?: number;
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  signal: AbortSignal;
  /** After shutdown starts, how long a running handler may take to finish (default 30 s). */
  shutdownGraceMs?: number;
  /** Backoff between attempts of a failed job (default: 1 s doubling, up to 10 min, with jitter). */
  retryBackoff?: BackoffOptions;
  log?: (msg: string, fields?: LogFields) => void;
  /** Told each job's outcome and run time, and every failed store operation (the service's metrics). */
  metrics?: Pick<ServiceMetrics, 'job' | 'storeError'>;
};

// How often a slot also looks for jobs whose worker died (their leases expired).
const expiredCheckMs = 1_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export async function runWorker(options: WorkerOptions): Promise<void> {
  const { store, handlers, workerId, signal } = options;
  const pollMs = options.pollMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const graceMs = options.shutdownGraceMs ?? 30_000;
  const log = options.log ?? (() => {});
  const kinds = Object.keys(handlers);
  const giveUp = options.giveUp ?? {};
  const giveUpKinds = Object.keys(giveUp).filter((k) => handlers[k]);
  const { db } = store;

  // Wake-ups: a generation counter closes the gap between "claim found nothing" and "start waiting".
  let generation = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    generation += 1;
    for (const w of waiters) w();
    waiters.clear();
  };
  const idle = (seenGeneration: number) =>
    new Promise<void>((resolve) => {
      if (generation !== seenGeneration || signal.aborted) return resolve();
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  signal.addEventListener('abort', wake, { once: true });
  let unlisten: (() => Promise<void>) | undefined;
  try {
    unlisten = await store.listen(jobsChannel, wake);
  } catch (error) {
    log(`worker ${workerId}: cannot LISTEN (${causeMessage(error)}); polling every ${pollMs} ms`);
  }

  async function retrying<T>(what: string, fn: () => Promise<T>, tries: number): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        options.metrics?.storeError('job_state');
        log(`worker ${workerId}: ${what} failed (${causeMessage(error)})${attempt < tries ? ', retrying' : ''}`, { level: 'warn' });
        if (attempt >= tries) return undefined;
        await sleep(backoffMs(attempt, { baseMs: 100, maxMs: 5_000 }));
      }
    }
  }

  async function runJob(job: Job, slotId: string): Promise<void> {
    const lease: JobLease = { id: job.id, workerId: slotId };
    const controller = new AbortController();
    const onShutdown = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onShutdown, { once: true });
    const heartbeat = setInterval(() => {
      extendLease(db, lease, leaseMs).then(
        (held) => {
          if (!held) controller.abort(new Error(`lease on job ${job.id} lost`));
        },
        (error: unknown) => log(`worker ${workerId}: extending the lease on job ${job.id} failed (${causeMessage(error)})`),
      );
    }, Math.max(50, Math.floor(leaseMs / 3)));
    const ctx: JobContext = { signal: controller.signal, extendLease: (ms = leaseMs) => extendLease(db, lease, ms) };

    type Outcome = { ok: true } | { ok: false; error: unknown } | { ok: 'timeout' };
    // Claimed past its last attempt: its worker died on that one (claim.ts, giveUpKinds).
    const givingUp = job.attempts > job.maxAttempts;
    const running: Promise<Outcome> = Promise.resolve()
      // (A give-up released on shutdown and claimed by a worker without one is buried as it is.)
      .then(() => (givingUp ? giveUp[job.kind]?.(job, ctx) : handlers[job.kind]!(job, ctx)))
      .then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    // After shutdown starts, the handler has graceMs to settle.
    let graceTimer: NodeJS.Timeout | undefined;
    let startGrace = () => {};
    const graceOver = new Promise<Outcome>((resolve) => {
      startGrace = () => {
        graceTimer = setTimeout(() => resolve({ ok: 'timeout' }), graceMs);
      };
    });
    if (signal.aborted) startGrace();
    else signal.addEventListener('abort', startGrace, { once: true });
    const started = performance.now();
    const ids = { job: job.id, kind: job.kind };
    let ended = 'released';
    try {
      const outcome = await Promise.race([running, graceOver]);
      if (givingUp && outcome.ok !== 'timeout') {
        ended = 'dead';
        const died = `lease expired on attempt ${job.maxAttempts} of ${job.maxAttempts}`;
        const error = new Error(`${job.lastError ? `${job.lastError}; ` : ''}${died}${outcome.ok === false ? `; giving up failed: ${causeMessage(outcome.error)}` : ''}`);
        await retrying(`recording job ${job.id} dead`, () => fail(db, lease, error), 5);
        log(`worker ${workerId}: job ${job.id} (${job.kind}) is dead: its worker stopped on every attempt; given up`, { ...ids, level: 'error' });
      } else if (outcome.ok === true) {
        ended = 'completed';
        const done = await retrying(`completing job ${job.id}`, () => complete(db, lease), 5);
        if (done === false) log(`worker ${workerId}: job ${job.id} finished after its lease was lost; another worker runs it`, ids);
      } else if (signal.aborted) {
        await retrying(`releasing job ${job.id}`, () => release(db, lease), 3);
        log(`worker ${workerId}: released job ${job.id} on shutdown`, ids);
      } else if (outcome.ok === false) {
        const result = await retrying(`recording the failure of job ${job.id}`, () => fail(db, lease, outcome.error, options.retryBackoff), 5);
        ended = result?.outcome === 'dead' ? 'dead' : 'failed';
        if (result?.outcome === 'dead') log(`worker ${workerId}: job ${job.id} (${job.kind}) is dead: ${causeMessage(outcome.error)}`, { ...ids, level: 'error' });
      }
    } finally {
      options.metrics?.job(job.kind, ended, (performance.now() - started) / 1000);
      clearInterval(heartbeat);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onShutdown);
      signal.removeEventListener('abort', startGrace);
    }
  }

  async function slot(slotId: string): Promise<void> {
    let errors = 0;
    let lastExpiredCheck = 0;
    while (!signal.aborted) {
      const seen = generation;
      let job: Job | undefined;
      try {
        const expired = Date.now() - lastExpiredCheck >= expiredCheckMs;
        job = await claim(db, { workerId: slotId, kinds, leaseMs, expired, giveUpKinds });
        if (expired) lastExpiredCheck = Date.now();
        errors = 0;
      } catch (error) {
        errors += 1;
        options.metrics?.storeError('claim');
        const delay = backoffMs(errors, { baseMs: 250, maxMs: 30_000 });
        log(`worker ${workerId}: claiming failed (${causeMessage(error)}); retrying in ${delay} ms`);
        await sleep(delay, signal);
        continue;
      }
      if (job) await runJob(job, slotId);
      else await idle(seen);
    }
  }

  const concurrency = Math.max(1, options.concurrency ?? 1);
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => slot(concurrency === 1 ? workerId : `${workerId}/${i + 1}`)));
  } finally {
    signal.removeEventListener('abort', wake);
    await unlisten?.().catch(() => {});
  }
}
