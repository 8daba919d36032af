/**
 * The store's one error class. `code` says what failed so callers (the CLI, `serve`) can map it to
 * a message and an exit code without matching on text; `cause` keeps the driver's error.
 */
export type StoreErrorCode =
  | 'unreachable' // cannot connect to the Postgres server
  | 'data_dir' // the PGlite data folder cannot be opened (corrupt, unreadable, not a data folder)
  | 'locked' // another process holds the PGlite data folder
  | 'migration_failed' // a migration failed; it was rolled back
  | 'invalid_transition' // a deployment status change the lifecycle does not allow
  | 'not_found';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** The driver's own message, without a stack, for one-line errors. */
export function causeMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return causeMessage(error.errors[0]);
  if (error instanceof Error) {
    // Drizzle wraps driver errors as "Failed query: <sql> params: …" with the real reason as cause.
    if (error.cause instanceof Error && error.message.startsWith('Failed query')) return causeMessage(error.cause);
    const code = (error as { code?: unknown }).code;
    const text = error.message || error.name;
    const line = text.split('\n')[0]!;
    return typeof code === 'string' && /^[A-Z]+$/.test(code) && !line.includes(code) ? `${code} ${line}` : line;
  }
  return String(error);
}
