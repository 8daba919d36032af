/**
 * Store options read once from the environment at start-up: `DATABASE_URL` selects Postgres,
 * otherwise PGlite keeps its data in `SLIPWAY_DATA_DIR` or `./.slipway/db`.
 */
import { resolve } from 'node:path';
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
   * Embedded only: run PGlite in a thread of its own (`slipway serve` does), so that database work
   * never holds this thread. Costs a thread's start-up (≈ 30 ms) and memory; the CLI's short
   * commands and most tests keep it in-process. Given a thread started earlier
   * (`prestartStoreThread`), that thread is used.
   */
  thread?: boolean | PrestartedStoreThread;
  /** Postgres pool size (default 10). */
  poolMax?: number;
};

export const defaultDataDir = '.slipway/db';

export function storeOptionsFromEnv(env: Record<string, string | undefined>, cwd = process.cwd()): StoreOptions {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const dataDir = resolve(cwd, env.SLIPWAY_DATA_DIR?.trim() || defaultDataDir);
  return databaseUrl ? { databaseUrl } : { dataDir };
}
