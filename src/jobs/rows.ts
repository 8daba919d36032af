/** Raw rows from `db.execute` (both drivers return `{ rows }`) mapped to the Drizzle row type. */
import type { Job } from '../store/schema.ts';

export function rowsOf(result: unknown): Record<string, unknown>[] {
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

export function toJob(r: Record<string, unknown>): Job {
  return {
    id: Number(r.id),
    kind: String(r.kind),
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    status: r.status as Job['status'],
    concurrencyKey: (r.concurrency_key as string | null) ?? null,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAt: date(r.run_at)!,
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: date(r.locked_until),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    finishedAt: date(r.finished_at),
  };
}

/** Postgres unique_violation (SQLSTATE 23505), as node-postgres and PGlite both report it. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
