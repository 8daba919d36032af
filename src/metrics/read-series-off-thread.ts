/**
 * `readSeries` in a thread of its own, for `slipway serve`: a 200,000-sample request is about 7 MB
 * of JSON, and parsing it, checking every sample and collecting the garbage held the thread that
 * answers webhooks for hundreds of milliseconds. The thread starts on the first request and stops
 * when it has had nothing to do for `idleMs` (an exporter posting small bodies every few seconds
 * keeps it warm), or as soon as it has nothing to do after a body of `largeBodyBytes` or more: its
 * heap is 50–60 MB after a 200,000-sample body and V8 keeps it until the next collection, which
 * an idle thread never reaches; in bench/hostile-load.bench.ts that heap was still held while the
 * store wrote the samples, at the service's RSS peak. A new thread starts in tens of ms, little
 * beside the second a large body takes. It never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { CheckedSeries } from './check-series.ts';
import { IntakeError } from './intake-error.ts';
import type { IntakeCall, IntakeReply } from './intake-thread.ts';
import type { ReadSeries } from './read-series.ts';

// The bundle (build/cli) has the thread's entry beside its chunks; from the sources it is the .ts file.
const sourceMode = import.meta.url.endsWith('.ts');
const entry = new URL(sourceMode ? './intake-thread.ts' : './intake-thread.js', import.meta.url);

function spawn(): Worker {
  // From the sources the thread loads its entry through tsx (a thread does not inherit the loader).
  const script = sourceMode
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}))`
    : entry;
  // A 200,000-sample body needs about 60 MB while it is parsed; a tight heap makes the thread collect
  // early instead of growing the process (RSS peaked at 423 MB without a limit, under 400 with it).
  return new Worker(script, { eval: sourceMode, name: 'slipway-metrics-intake', resourceLimits: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 8 } });
}

export function readSeriesOffThread({ idleMs = 10_000, largeBodyBytes = 1024 * 1024 }: { idleMs?: number; largeBodyBytes?: number } = {}): ReadSeries & { close: () => Promise<void> } {
  let worker: Worker | undefined;
  /** Whether the running thread has read a large body (it ends as soon as it is idle). */
  let large = false;
  let idle: NodeJS.Timeout | undefined;
  let next = 0;
  /** Calls awaiting a reply, with the thread each was sent to. */
  const pending = new Map<number, { thread: Worker; resolve: (series: CheckedSeries[]) => void; reject: (error: Error) => void }>();
  const start = () => {
    const started = spawn();
    started.unref();
    started.on('message', (reply: IntakeReply) => {
      const call = pending.get(reply.id);
      if (!call) return;
      pending.delete(reply.id);
      if (pending.size === 0) {
        idle = setTimeout(() => {
          if (worker !== started || pending.size > 0) return;
          worker = undefined;
          void started.terminate();
        }, large ? 0 : idleMs);
        idle.unref();
      }
      if ('series' in reply) call.resolve(reply.series);
      else if ('refused' in reply) call.reject(new IntakeError(reply.refused.code, reply.refused.message, reply.refused.sample));
      else call.reject(new Error(`the metrics intake thread failed: ${reply.failed}`));
    });
    const fail = (error: Error) => {
      if (worker === started) worker = undefined; // the next request starts a new thread
      // Only this thread's calls: a thread stopped when idle may report its exit after the next
      // request has started another.
      for (const [id, call] of pending) {
        if (call.thread !== started) continue;
        pending.delete(id);
        call.reject(error);
      }
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the metrics intake thread exited (${code})`)));
    return started;
  };
  const read: ReadSeries = (request) =>
    new Promise<CheckedSeries[]>((resolve, reject) => {
      clearTimeout(idle);
      if (!worker) {
        worker = start();
        large = false;
      }
      const id = next++;
      pending.set(id, { thread: worker, resolve, reject });
      if (request.body.byteLength >= largeBodyBytes) large = true;
      // The thread takes the body's buffer: moved when the body is all of it (the route's own
      // copy), copied when it is a view into a larger buffer the HTTP server may reuse.
      const { buffer, byteOffset, byteLength } = request.body;
      const body = buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? request.body : request.body.slice();
      worker.postMessage({ id, request: { ...request, body } } satisfies IntakeCall, [body.buffer as ArrayBuffer]);
    });
  return Object.assign(read, {
    close: async () => {
      clearTimeout(idle);
      const running = worker;
      worker = undefined;
      await running?.terminate();
    },
  });
}
