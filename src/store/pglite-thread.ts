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
import { openPglite, preferLiftoff, type PgliteStore } from './open-pglite.ts';
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
try {
  store = await openPglite(
    init.dataDir,
    { ...init.options, ...(init.snapshot ? { pgliteSnapshot: new Blob([init.snapshot]) } : {}), log },
    { lock: false, boot: (await prefetched) ?? {} },
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
const listeners = new Map<number, () => Promise<void>>();
let nextId = 1;

function opened(tx: number) {
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open;
}

/** Where a query runs: in its transaction, or on the connection (queued behind any open one). */
const connection = (tx: number | undefined) => (tx === undefined ? store.client : opened(tx).on);

async function answer(request: ThreadRequest): Promise<unknown> {
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
      listeners.set(listener, await store.client.listen(request.channel, (payload) => send({ notify: listener, payload })));
      return listener;
    }
    case 'unlisten':
      await listeners.get(request.listener)?.();
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
      .finally(() => transactions.delete(tx));
  });
}

function reply(id: number | undefined, message: { ok: true; value: unknown } | { ok: false; error: SerializedError }): void {
  if (id !== undefined) send({ id, ...message });
}

port.on('message', (request: ThreadRequest) => {
  answer(request).then(
    (value) => {
      if (request.op !== 'end') reply(request.id, { ok: true, value });
      if (request.op === 'close') port.close();
    },
    (error: unknown) => reply(request.id, { ok: false, error: serializeError(error) }),
  );
});
