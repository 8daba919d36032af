/**
 * The embedded store's thread: PGlite (Postgres in WASM, one connection) runs here, and the
 * service's thread sends it queries, transactions, LISTENs and tasks (store-thread-task.ts; the
 * intake's spool loads are one) as messages (open-pglite-thread.ts). Queries outside a transaction wait for an open one exactly as they do on
 * an in-process PGlite: each goes to `client.query`, which queues behind the transaction.
 */
import { openAsBlob, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { types, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import { collectGarbage, openPglite, preferLiftoff, type PgliteStore } from './open-pglite.ts';
import type { StoreThreadTaskModule } from './store-thread-task.ts';
import { serializeError, type SerializedError, type ThreadInit, type ThreadMessage, type ThreadRequest } from './pglite-thread-protocol.ts';

const port = parentPort!;
const send = (message: ThreadMessage) => port.postMessage(message);
const log = (message: string) => send({ log: message });

// What Drizzle's PGlite driver asks for on every query: date, time and interval values (and
// numeric arrays) come back as the text Postgres sent, and Drizzle maps them itself. Functions
// cannot cross threads, so they are set here.
const identity = (value: string) => value;
const parsers = Object.fromEntries([types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((t) => [t, identity]));

class Rollback extends Error {}

/**
 * Linux: this thread yields the CPU to the service's thread under contention (nice +10 for this
 * thread only: `setpriority` on its thread id), so a burst of webhooks is answered first and the
 * spool is loaded with what is left; with idle cores it runs at full speed. Elsewhere a no-op.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + 10));
  } catch {
    // not Linux, or not permitted: run at the process's priority
  }
}

/**
 * Before the data folder is known (the thread may be started first thing, see prestartStoreThread):
 * compile Postgres' WebAssembly and read PGlite's file-system bundle, which PGlite.create would do.
 */
function prefetch(): Promise<Partial<PGliteOptions>> {
  preferLiftoff(); // before the compile
  const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));
  // (this project's TypeScript libs do not declare the WebAssembly global)
  const { compile } = (globalThis as unknown as { WebAssembly: { compile: (bytes: Uint8Array) => Promise<PGliteOptions['pgliteWasmModule']> } }).WebAssembly;
  // The bundle is a file-backed Blob (read when PGlite unpacks it, not held in memory before).
  return Promise.all([readFile(new URL('pglite.wasm', dist)).then((bytes) => compile(bytes)), openAsBlob(new URL('pglite.data', dist))])
    .then(([pgliteWasmModule, fsBundle]): Partial<PGliteOptions> => ({ pgliteWasmModule, fsBundle }))
    .catch(() => ({})); // PGlite finds them itself
}
let prefetched: Promise<Partial<PGliteOptions>> | undefined = prefetch();
const init = await new Promise<ThreadInit>((resolve) => port.once('message', resolve));

let store: PgliteStore;
// The compiled WebAssembly, kept for reopening (recycle below); the file bundle is read again then.
let compiled: Partial<PGliteOptions> = {};
try {
  const boot = (await prefetched) ?? {};
  compiled = boot.pgliteWasmModule ? { pgliteWasmModule: boot.pgliteWasmModule } : {};
  store = await openPglite(
    init.dataDir,
    { ...init.options, ...(init.snapshot ? { pgliteSnapshot: new Blob([init.snapshot]) } : {}), log },
    { lock: false, boot },
  );
  prefetched = undefined; // the file bundle's bytes are in PGlite's file system now: let them go
  lowerPriority(); // after start-up, which should be as fast as it can be
  send({ ready: true });
} catch (error) {
  send({ ready: false, error: serializeError(error) });
  port.close(); // the thread ends (nothing more can arrive); the service's side reports the error
}

// Task modules, imported once each (see store-thread-task.ts).
const taskModules = new Map<string, Promise<StoreThreadTaskModule>>();
// Open transactions: PGlite's handle, how to end it, and which request to answer when it has.
const transactions = new Map<number, { on: Transaction; end: (commit: boolean) => void; replyTo?: number }>();
const listeners = new Map<number, { channel: string; unlisten: () => Promise<void> }>();
let nextId = 1;

/**
 * Postgres' WebAssembly memory only ever grows: one 12 MB delivery stored as jsonb, or a burst of
 * large queries, leaves it at its high-water mark for the life of the process (128 MB grew to
 * 221 MB, 166 MB of it resident, in bench/hostile-load.bench.ts). Once it has grown, and
 * `recycleAfterMs` later at a moment when nothing is in flight (no query, task or transaction),
 * the thread closes PGlite (a checkpoint: everything committed is on disk) and opens it again on
 * the same folder with the same compiled module, re-registers its LISTENs, and lets the old memory
 * go. Requests that arrive meanwhile wait for it (a few hundred ms). An in-memory store is never
 * reopened (it would lose its data).
 */
const recycleAfterMs = init.recycleAfterMs ?? 10_000;
const recyclable = !init.dataDir.startsWith('memory://');
const memoryBytes = () => (store?.client as unknown as { mod?: { wasmMemory?: { buffer: ArrayBuffer } } } | undefined)?.mod?.wasmMemory?.buffer.byteLength ?? 0;
let baselineBytes = memoryBytes();
let inFlight = 0;
let grownAt: number | undefined;
let recheck: NodeJS.Timeout | undefined;
let recycling: Promise<void> | undefined;
let reopenFailed = false;

function maybeRecycle(): void {
  if (!recyclable || recycling || inFlight > 0 || transactions.size > 0) return;
  const bytes = memoryBytes();
  if (bytes <= baselineBytes) return;
  grownAt ??= performance.now();
  const wait = grownAt + recycleAfterMs - performance.now();
  clearTimeout(recheck);
  if (wait > 0) {
    recheck = setTimeout(maybeRecycle, wait);
    recheck.unref();
    return;
  }
  recycling = recycle(bytes).finally(() => {
    recycling = undefined;
    grownAt = undefined;
  });
}

async function recycle(grownBytes: number): Promise<void> {
  const started = performance.now();
  try {
    await store.close();
    store = await openPglite(init.dataDir, { migrate: false, log }, { lock: false, boot: { ...compiled, fsBundle: await openAsBlob(new URL('pglite.data', new URL('.', import.meta.resolve('@electric-sql/pglite')))) } });
    for (const [id, listener] of listeners) listener.unlisten = await store.client.listen(listener.channel, (payload) => send({ notify: id, payload }));
    await collectGarbage();
    baselineBytes = memoryBytes();
    log(`slipway: the embedded database was reopened to give back ${Math.round((grownBytes - baselineBytes) / 1048576)} MB its memory had grown by (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    // Requests go on to fail with the reason; the next one that finds the store closed tries again.
    log(`slipway: the embedded database could not be reopened after giving back memory: ${(error as Error).message}`);
    reopenFailed = true;
  }
}

function opened(tx: number) {
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open;
}

/** Where a query runs: in its transaction, or on the connection (queued behind any open one). */
const connection = (tx: number | undefined) => (tx === undefined ? store.client : opened(tx).on);

async function answer(request: ThreadRequest): Promise<unknown> {
  if (recycling) await recycling;
  if (reopenFailed) {
    reopenFailed = false;
    store = await openPglite(init.dataDir, { migrate: false, log }, { lock: false, boot: compiled });
  }
  switch (request.op) {
    case 'query': {
      const { rows, fields, affectedRows } = await connection(request.tx).query(request.sql, request.params, { rowMode: request.rowMode, parsers });
      return { rows, fields, affectedRows };
    }
    case 'begin':
      return begin();
    case 'end': {
      const open = opened(request.tx);
      open.replyTo = request.id;
      open.end(request.commit);
      return undefined; // answered when the transaction has committed or rolled back
    }
    case 'listen': {
      const listener = nextId++;
      listeners.set(listener, { channel: request.channel, unlisten: await store.client.listen(request.channel, (payload) => send({ notify: listener, payload })) });
      return listener;
    }
    case 'unlisten':
      await listeners.get(request.listener)?.unlisten();
      listeners.delete(request.listener);
      return undefined;
    case 'migrate':
      return store.migrate(request.folder);
    case 'task': {
      let loading = taskModules.get(request.module);
      if (!loading) taskModules.set(request.module, (loading = import(request.module) as Promise<StoreThreadTaskModule>));
      return (await loading).runInStoreThread(store.db, request.input, log);
    }
    case 'close':
      clearTimeout(recheck);
      await store.close();
      return undefined;
  }
}

/** Open a transaction and hold it until the service's thread sends `end`. Resolves to its id. */
function begin(): Promise<number> {
  const tx = nextId++;
  const ok = { ok: true, value: undefined } as const;
  return new Promise<number>((resolve, failed) => {
    store.client
      .transaction(async (on) => {
        const commit = await new Promise<boolean>((end) => {
          transactions.set(tx, { on, end });
          resolve(tx);
        });
        if (!commit) throw new Rollback();
      })
      .then(
        () => reply(transactions.get(tx)?.replyTo, ok),
        (error: unknown) => {
          const open = transactions.get(tx);
          if (!open) return failed(error); // BEGIN itself failed
          reply(open.replyTo, error instanceof Rollback ? ok : { ok: false, error: serializeError(error) });
        },
      )
      .finally(() => {
        transactions.delete(tx);
        maybeRecycle();
      });
  });
}

function reply(id: number | undefined, message: { ok: true; value: unknown } | { ok: false; error: SerializedError }): void {
  if (id !== undefined) send({ id, ...message });
}

port.on('message', (request: ThreadRequest) => {
  inFlight++;
  answer(request)
    .then(
      (value) => {
        if (request.op !== 'end') reply(request.id, { ok: true, value });
        if (request.op === 'close') port.close();
      },
      (error: unknown) => reply(request.id, { ok: false, error: serializeError(error) }),
    )
    .finally(() => {
      inFlight--;
      if (request.op !== 'close') maybeRecycle();
    });
});
