/**
 * Embedded mode for the long-running service: PGlite in a thread of its own (pglite-thread.ts),
 * so that the database's work — above all loading the delivery spool, about 0.5 ms of WASM per
 * 7 KB delivery — never holds the thread that answers webhooks. On 2 cores the service thread
 * keeps answering at full speed while the store thread loads the spool behind it.
 *
 * This side is an ordinary Drizzle database over a client whose `query` and `transaction` send
 * messages: every store query and the job queue work unchanged. A transaction holds PGlite's one
 * connection in the store thread until this side commits or rolls back, exactly as in-process.
 * The CLI's short commands and the tests keep PGlite in-process (open-pglite.ts): a thread costs
 * start-up time they would not win back.
 */
import { Worker } from 'node:worker_threads';
import { lockDataDir } from './data-dir-lock.ts';
import type { Db } from './db.ts';
import { reviveError, type SerializedError, type ThreadInit, type ThreadMessage, type ThreadCall } from './pglite-thread-protocol.ts';
import type { Store } from './store.ts';
import type { StoreThreadTask } from './store-thread-task.ts';
import { StoreError, type StoreErrorCode } from './store-error.ts';
import type { StoreOptions } from './store-options.ts';

export type ThreadStore = Store & {
  /** Run a task (a module's `runInStoreThread`) in the store's thread, with its database. */
  runTask: <I, O>(task: StoreThreadTask<I, O>, input: I) => Promise<O>;
};

type QueryResult = { rows: unknown[]; fields: unknown[]; affectedRows?: number };
type Query = (sql: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }) => Promise<QueryResult>;

// The bundle (build/cli) has the thread's entry beside its chunks; from the sources it is the .ts file.
const sourceMode = import.meta.url.endsWith('.ts');
const entry = new URL(sourceMode ? './pglite-thread.ts' : './pglite-thread.js', import.meta.url);

const reviveStoreError = (e: SerializedError, cause?: Error) =>
  e.name === 'StoreError' ? new StoreError(e.fields.code as StoreErrorCode, e.message, cause ? { cause } : undefined) : undefined;

function spawn(): Worker {
  // From the sources the thread loads its entry through tsx (a thread does not inherit the loader
  // the service was started with).
  const script = sourceMode
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}))`
    : entry;
  return new Worker(script, { eval: sourceMode, name: 'slipway-store' });
}

/** A store thread started early (prestartStoreThread): handed to openStore, or discarded. */
export type PrestartedStoreThread = {
  /** The thread, once: later calls get undefined. */
  take: () => Worker | undefined;
  /** Stop the thread unless it was taken (Postgres was configured, or the settings were refused). */
  discard: () => Promise<void>;
};

/**
 * Start the store thread before the settings are read (`slipway serve` does, first thing): it boots,
 * loads PGlite and compiles its WebAssembly while this thread loads the service (≈ 150 ms less to
 * ready). It waits for `openPgliteThread`; it does not keep the process alive meanwhile.
 */
export function prestartStoreThread(): PrestartedStoreThread {
  let worker: Worker | undefined = spawn();
  worker.unref();
  const take = () => {
    const taken = worker;
    worker = undefined;
    return taken;
  };
  return { take, discard: async () => void (await take()?.terminate()) };
}

export async function openPgliteThread(dataDir: string, options: StoreOptions, prestarted?: PrestartedStoreThread): Promise<ThreadStore> {
  const log = options.log ?? (() => {});
  const unlock = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  const init: ThreadInit = {
    dataDir,
    options: { migrate: options.migrate, migrationsFolder: options.migrationsFolder },
    ...(options.pgliteSnapshot ? { snapshot: new Uint8Array(await options.pgliteSnapshot.arrayBuffer()) } : {}),
    ...(options.recycleAfterMs !== undefined ? { recycleAfterMs: options.recycleAfterMs } : {}),
  };
  const worker = prestarted?.take() ?? spawn();
  worker.ref();
  worker.postMessage(init, init.snapshot ? [init.snapshot.buffer as ArrayBuffer] : []);

  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const notify = new Map<number, (payload: string) => void>();
  let nextId = 1;
  let gone: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if ('ready' in message) return message.ready ? resolve() : reject(reviveError(message.error, reviveStoreError));
      if ('log' in message) return log(message.log);
      if ('notify' in message) return notify.get(message.notify)?.(message.payload);
      const call = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) call?.resolve(message.value);
      else call?.reject(reviveError(message.error, reviveStoreError));
    });
    const stopped = (why: string) => {
      gone ??= new StoreError('unreachable', `the embedded database's thread stopped (${why}); restart the service`);
      for (const call of waiting.values()) call.reject(gone);
      waiting.clear();
      reject(gone);
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
  });

  function call<T>(request: ThreadCall): Promise<T> {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        worker.postMessage({ ...request, id });
      } catch (error) {
        // A parameter that cannot be copied to the thread (a function, a symbol): this query fails.
        waiting.delete(id);
        reject(error as Error);
      }
    });
  }

  // Drizzle loads here while the thread boots.
  const [{ drizzle }, schema] = await Promise.all([import('drizzle-orm/pglite'), import('./schema.ts'), ready]).catch(async (error: unknown) => {
    await worker.terminate();
    unlock();
    throw error;
  });

  const queryOn =
    (tx?: number): Query =>
    (sql, params = [], opts = {}) =>
      call<QueryResult>({ op: 'query', sql, params, rowMode: opts.rowMode ?? 'object', ...(tx === undefined ? {} : { tx }) });
  // Drizzle's PGlite driver only calls `query` and `transaction` on its client.
  const client = {
    query: queryOn(),
    async transaction<T>(fn: (tx: { query: Query }) => Promise<T>): Promise<T> {
      const tx = await call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn({ query: queryOn(tx) });
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
  };
  const db = drizzle({ client: client as never, schema }) as unknown as Db;

  let closing: Promise<void> | undefined;
  return {
    db,
    kind: 'pglite',
    migrate: (folder) => call({ op: 'migrate', ...(folder ? { folder } : {}) }),
    async listen(channel, onNotify) {
      const listener = await call<number>({ op: 'listen', channel });
      notify.set(listener, onNotify);
      return async () => {
        notify.delete(listener);
        await call({ op: 'unlisten', listener }).catch(() => {});
      };
    },
    runTask: (task, input) => call({ op: 'task', module: task.module, input }),
    close: () =>
      (closing ??= (async () => {
        try {
          if (!gone) await call({ op: 'close' });
        } finally {
          gone ??= new StoreError('unreachable', 'the store is closed');
          await worker.terminate();
          unlock();
        }
      })()),
  };
}
