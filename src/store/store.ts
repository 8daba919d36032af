import type { Db } from './db.ts';

/** An open store: the Drizzle handle, which engine serves it, and a way to be woken by NOTIFY. */
export type Store = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Run `onNotify` for every NOTIFY on `channel` (Postgres LISTEN on a dedicated connection;
   * PGlite's in-process notifications). Resolves to a function that stops listening.
   */
  listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;
  /**
   * Apply pending migrations (openStore does, unless `migrate: false`). All pending migrations run
   * in one transaction: if one fails, none is applied (StoreError `migration_failed`).
   */
  migrate: (migrationsFolder?: string) => Promise<void>;
  close: () => Promise<void>;
};
