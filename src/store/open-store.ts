/**
 * Open the store: Postgres when a `postgres://` URL is given, otherwise embedded PGlite in a data
 * folder. Pending migrations are applied before it resolves. Errors are `StoreError`s whose
 * message names the URL (password redacted) or the folder and what failed.
 */
import { resolve } from 'node:path';
import { redactUrl } from './redact-url.ts';
import type { Store } from './store.ts';
import { StoreError } from './store-error.ts';
import { defaultDataDir, type StoreOptions } from './store-options.ts';

export type { Store } from './store.ts';
export type { StoreOptions } from './store-options.ts';

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const { databaseUrl } = options;
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
      throw new StoreError('unreachable', `DATABASE_URL must be a postgres:// URL, got ${redactUrl(databaseUrl)}`);
    }
    // Each driver is imported only when chosen: the embedded mode never loads `pg`, Postgres mode never PGlite.
    const { openPostgres } = await import('./open-postgres.ts');
    return openPostgres(databaseUrl, options);
  }
  const dataDir = options.dataDir ?? defaultDataDir;
  const where = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
  if (options.thread) {
    const { openPgliteThread } = await import('./open-pglite-thread.ts');
    return openPgliteThread(where, options, options.thread === true ? undefined : options.thread);
  }
  const { openPglite } = await import('./open-pglite.ts');
  return openPglite(where, options);
}

/** Open once, on first use, however many callers ask (one store per process). */
export function lazyStore(options: StoreOptions): () => Promise<Store> {
  let opening: Promise<Store> | undefined;
  return () => {
    opening ??= openStore(options).catch((error: unknown) => {
      opening = undefined; // let a later call try again
      throw error;
    });
    return opening;
  };
}
