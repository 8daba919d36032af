/**
 * Messages between the service's thread and the embedded store's thread (open-pglite-thread.ts,
 * pglite-thread.ts), and how errors cross between them: structured clone keeps an Error's message
 * but not the fields callers read (`code` = SQLSTATE such as 23505, a StoreError's code, `detail`).
 */
import type { StoreOptions } from './store-options.ts';

export type ThreadInit = {
  dataDir: string;
  options: Pick<StoreOptions, 'migrate' | 'migrationsFolder'>;
  /** `StoreOptions.pgliteSnapshot`'s bytes. */
  snapshot?: Uint8Array;
  /** Reopen PGlite this long after its WebAssembly memory has grown, at a moment with nothing in flight (pglite-thread.ts; default 10 s). */
  recycleAfterMs?: number;
};

export type ThreadRequest = { id: number } & ThreadCall;

export type ThreadCall =
  | { op: 'query'; sql: string; params: unknown[]; rowMode: 'array' | 'object'; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen'; channel: string }
  | { op: 'unlisten'; listener: number }
  | { op: 'migrate'; folder?: string }
  /** A StoreThreadTask: import `module` and run its `runInStoreThread` with the database. */
  | { op: 'task'; module: string; input: unknown }
  | { op: 'close' };

export type ThreadMessage =
  | { ready: true }
  | { ready: false; error: SerializedError }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError }
  | { notify: number; payload: string }
  | { log: string };

export type SerializedError = { name: string; message: string; fields: Record<string, string | number | boolean>; cause?: SerializedError };

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean;
  }
  const cause = error.cause !== undefined && depth < 3 ? serializeError(error.cause, depth + 1) : undefined;
  return { name: error.name, message: error.message, fields, ...(cause ? { cause } : {}) };
}

/** An Error with the original's name, message and fields; `make` builds known classes (StoreError). */
export function reviveError(e: SerializedError, make?: (e: SerializedError, cause?: Error) => Error | undefined): Error {
  const cause = e.cause ? reviveError(e.cause, make) : undefined;
  const known = make?.(e, cause);
  if (known) return known;
  const error = new Error(e.message, cause ? { cause } : undefined);
  error.name = e.name;
  Object.assign(error, e.fields);
  return error;
}
