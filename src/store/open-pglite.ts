/**
 * Embedded mode: PGlite (Postgres compiled to WASM) in this process, data in a local folder.
 * PGlite is a single connection, so queries queue behind each other; NOTIFY is delivered in-process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.ts';
import { migrationsFolder as defaultMigrationsFolder } from './migrations-folder.ts';
import { makePrivateFolder, makePrivateTree } from './private-folder.ts';
import type { Store } from './store.ts';
import { StoreError, causeMessage } from './store-error.ts';
import type { StoreOptions } from './store-options.ts';

/**
 * Postgres-in-WASM is a 9 MB module. By default V8 compiles it with Liftoff, then recompiles hot
 * functions with TurboFan on background threads: on 2 cores that recompilation competes with
 * start-up and the first requests, and its code stays resident. Liftoff only measured 60–70 MB
 * less RSS (PGlite alone: 135–145 MB instead of 200–210 MB), a faster start, and the same steady
 * query throughput (inserts + indexed selects, 5 × 3,000 rounds). The flag only affects
 * WebAssembly, so nothing else in the process changes; it must be set before the first compile.
 */
export function preferLiftoff(): void {
  setFlagsFromString('--liftoff-only'); // idempotent: every store opened in the process asks again
}

/**
 * A full garbage collection, now. PGlite creates a new database with a second Postgres instance
 * and the initdb program, each with its own WebAssembly memory (128 MB and more), then drops them;
 * V8 counts that memory outside its heap and may not collect it for hours in a quiet process: a
 * new `slipway serve` measured 540–620 MB RSS where one reopening its data folder measured 220
 * (and 200 once collected). `--expose-gc` set now only gives new contexts a `gc` function.
 */
export async function collectGarbage(): Promise<void> {
  // What PGlite dropped is still referenced until its timers have run (a collection before a
  // timer's turn freed a third of it; one after, all of it).
  await new Promise((resolve) => setTimeout(resolve, 0));
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The store, with the PGlite client under it (the store thread answers queries on it). */
export type PgliteStore = Store & { client: PGlite };

/**
 * `lock: false`: the caller holds the data folder's lock (the store thread's owner does).
 * `boot`: PGlite's compiled WebAssembly and file-system bundle, when the caller has them already.
 */
export async function openPglite(
  dataDir: string,
  options: StoreOptions,
  { lock = true, boot = {} }: { lock?: boolean; boot?: Partial<PGliteOptions> } = {},
): Promise<PgliteStore> {
  preferLiftoff();
  const inMemory = dataDir.startsWith('memory://');
  const unlock = inMemory || !lock ? () => {} : lockDataDir(dataDir);
  // Drizzle, its migrator and the schema load while Postgres boots (≈ 100 ms less to ready).
  const modules = Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator'), import('./schema.ts')]);
  modules.catch(() => {}); // awaited below, after a failed open too
  let client: PGlite;
  // No database there yet: PGlite runs initdb (see collectGarbage). In memory (tests, short
  // commands) the garbage does not outlive the process for long.
  const creating = !inMemory && !options.pgliteSnapshot && !existsSync(join(dataDir, 'PG_VERSION'));
  try {
    if (!inMemory) makePrivateFolder(dataDir);
    client = await PGlite.create(dataDir, {
      // Postgres' default 128MB of shared buffers is most of an idle Slipway's memory (PGlite
      // alone: 312 MB RSS at 128MB, 163 MB at 16MB); the embedded store's working set is small.
      // 8MB: the service 9–14 MB smaller than at 16MB (bench/e2e.bench.ts), the same latencies,
      // and 500-delivery spool loads as fast (1,550–1,830 rows/s against 1,430–1,680).
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'],
      ...(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {}),
      ...boot,
    });
    await client.query('select 1');
    if (creating) await collectGarbage();
  } catch (error) {
    unlock();
    throw new StoreError(
      'data_dir',
      `cannot open the PGlite data folder ${dataDir} (corrupt, or not a Slipway data folder?): ${causeMessage(error)}`,
      { cause: error },
    );
  }
  const [{ drizzle }, { migrate }, schema] = await modules;
  const db = drizzle({ client, schema });
  async function migrateStore(folder = options.migrationsFolder ?? defaultMigrationsFolder): Promise<void> {
    try {
      await migrate(db, { migrationsFolder: folder });
    } catch (error) {
      throw new StoreError('migration_failed', `migration failed in ${dataDir}, nothing was changed: ${causeMessage(error)}`, {
        cause: error,
      });
    }
  }
  if (options.migrate !== false) {
    try {
      await migrateStore();
    } catch (error) {
      await client.close().catch(() => {});
      unlock();
      throw error;
    }
  }
  if (!inMemory) makePrivateTree(dataDir); // what PGlite created at 0666 (see private-folder.ts)
  return {
    db,
    client,
    kind: 'pglite',
    migrate: migrateStore,
    listen: (channel, onNotify) => client.listen(channel, onNotify),
    async close() {
      try {
        await client.close();
        if (!inMemory) makePrivateTree(dataDir);
      } finally {
        unlock();
      }
    },
  };
}
