/**
 * Store options read once from the environment at start-up: `DATABASE_URL` selects Postgres,
 * otherwise PGlite keeps its data in `SLIPWAY_DATA_DIR/db` (`./.slipway/db` by default), where
 * `slipway serve` keeps it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PrestartedStoreThread } from './open-pglite-thread.ts';

export type StoreOptions = {
  /** `postgres://…` or `postgresql://…`: use a pooled Postgres connection. */
  databaseUrl?: string;
  /** PGlite data folder (ignored with `databaseUrl`); `memory://` keeps everything in memory. */
  dataDir?: string;
  log?: (msg: string) => void;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
  /** Where the migrations are (default: the repository's drizzle/ folder). */
  migrationsFolder?: string;
  /**
   * Start the embedded database from a `PGlite.dumpDataDir()` tarball instead of an empty folder
   * (seconds faster than initialising one; the test suite uses it). Ignored with `databaseUrl`.
   */
  pgliteSnapshot?: Blob;
  /**
   * The embedded store in its own thread only: reopen PGlite this long after its WebAssembly memory
   * has grown, to give that memory back (src/store/pglite-thread.ts; default 10 s).
   */
  recycleAfterMs?: number;
  /**
   * Embedded only: run PGlite in a thread of its own (`slipway serve` does), so that database work
   * never holds this thread. Costs a thread's start-up (≈ 30 ms) and memory; the CLI's short
   * commands and most tests keep it in-process. Given a thread started earlier
   * (`prestartStoreThread`), that thread is used.
   */
  thread?: boolean | PrestartedStoreThread;
  /** Postgres pool size (default 10). */
  poolMax?: number;
};

/** `SLIPWAY_DATA_DIR` when unset: the embedded database, the git cache and the spool live under it. */
export const defaultSlipwayDataDir = './.slipway';

/** The embedded database's folder inside Slipway's data folder: the same for `serve` and every CLI command. */
export function databaseDir(slipwayDataDir: string): string {
  return join(slipwayDataDir, 'db');
}

export const defaultDataDir = databaseDir(defaultSlipwayDataDir);

export function storeOptionsFromEnv(env: Record<string, string | undefined>, cwd = process.cwd()): StoreOptions {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const dataDir = databaseDir(resolve(cwd, env.SLIPWAY_DATA_DIR?.trim() || defaultSlipwayDataDir));
  return databaseUrl ? { databaseUrl } : { dataDir };
}

/**
 * Before `SLIPWAY_DATA_DIR` meant the same everywhere, the CLI put its database in DIR itself
 * where `serve` uses DIR/db. Such a folder is named, so that the operator can move it.
 */
export function misplacedDatabaseNote(env: Record<string, string | undefined>, cwd = process.cwd()): string | undefined {
  const dir = env.SLIPWAY_DATA_DIR?.trim();
  if (!dir || env.DATABASE_URL?.trim()) return undefined;
  const folder = resolve(cwd, dir);
  if (!existsSync(join(folder, 'PG_VERSION')) || existsSync(databaseDir(folder))) return undefined;
  return `${folder} holds a database of its own (written by an older slipway CLI); slipway serve and every command now use ${databaseDir(folder)}: move its contents there to keep them`;
}
