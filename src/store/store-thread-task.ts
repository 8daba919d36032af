/**
 * Work that runs inside the embedded store's thread, next to PGlite, so that it never holds the
 * thread answering webhooks (the intake's spool loader is one). The store does not know what the
 * work is: a task names a module by URL, and that module exports `runInStoreThread(db, input, log)`.
 * Functions cannot cross threads; module URLs can. Only the service's own code names tasks.
 */
import type { Db } from './db.ts';

/** `I` and `O` are the input and result the module's `runInStoreThread` takes and returns. */
export type StoreThreadTask<I, O> = { readonly module: string; readonly types?: (input: I) => O };

export type StoreThreadTaskModule<I = unknown, O = unknown> = {
  runInStoreThread: (db: Db, input: I, log: (message: string) => void) => Promise<O>;
};

/**
 * A task whose module sits beside `importMetaUrl`'s file: `<name>.ts` when running from the
 * sources, `<name>.js` in the CLI bundle (scripts/build.mjs builds it as an entry of its own).
 */
export function storeThreadTask<I, O>(name: string, importMetaUrl: string): StoreThreadTask<I, O> {
  const extension = importMetaUrl.endsWith('.ts') ? 'ts' : 'js';
  return { module: new URL(`./${name}.${extension}`, importMetaUrl).href };
}
