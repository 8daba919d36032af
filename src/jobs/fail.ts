import { sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { causeMessage } from '../store/store-error.ts';
import { jobs } from '../store/schema.ts';
import { backoffMs, type BackoffOptions } from './backoff.ts';
import { heldBy, type JobLease } from './complete.ts';
import { rowsOf } from './rows.ts';

export type FailResult = { outcome: 'retry'; retryAt: Date } | { outcome: 'dead' } | { outcome: 'lost' };

/**
 * Record a failed attempt. Retried after an exponential backoff with jitter, or `dead` (kept, with
 * its last error, for inspection) once it has used its `maxAttempts`. `lost`: this worker no longer
 * held the job.
 */
export async function fail(db: Db, lease: JobLease, error: unknown, options: BackoffOptions = {}): Promise<FailResult> {
  // Drizzle's "Failed query: <sql> params: <values>" holds a delivery's payload: the driver's reason instead.
  const message = error instanceof Error ? (error.message.startsWith('Failed query') ? causeMessage(error) : error.message || error.name) : String(error);
  const [current] = await db
    .select({ attempts: jobs.attempts, maxAttempts: jobs.maxAttempts })
    .from(jobs)
    .where(heldBy(lease));
  if (!current) return { outcome: 'lost' };
  const dead = current.attempts >= current.maxAttempts;
  const delay = backoffMs(current.attempts, options);
  const result = await db.execute(sql`
    update ${jobs} set
      status = ${dead ? 'dead' : 'queued'},
      last_error = ${message.slice(0, 4000)},
      locked_by = null,
      locked_until = null,
      run_at = ${dead ? sql`run_at` : sql`now() + ${delay} * interval '1 millisecond'`},
      finished_at = ${dead ? sql`now()` : sql`null`},
      updated_at = now()
    where id = ${lease.id} and status = 'running' and locked_by = ${lease.workerId}
    returning run_at`);
  const [row] = rowsOf(result);
  if (!row) return { outcome: 'lost' };
  return dead ? { outcome: 'dead' } : { outcome: 'retry', retryAt: new Date(String(row.run_at instanceof Date ? row.run_at.toISOString() : row.run_at)) };
}
