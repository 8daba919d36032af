import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { jobs } from '../store/schema.ts';
import { jobsChannel } from './channel.ts';

/** Whose claim this is: a job is changed only by the worker that holds its lease. */
export type JobLease = { id: number; workerId: string };

const held = (lease: JobLease) => and(eq(jobs.id, lease.id), eq(jobs.status, 'running'), eq(jobs.lockedBy, lease.workerId));

/**
 * Mark a claimed job completed. Resolves to false when this worker no longer holds it (its lease
 * expired and another worker took it over), so the caller knows its result did not count.
 */
export async function complete(db: Db, lease: JobLease): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: 'completed', lockedBy: null, lockedUntil: null, finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(held(lease))
    .returning({ id: jobs.id });
  return rows.length === 1;
}

/** Keep holding a job for another `leaseMs` from now; false if the lease was already lost. */
export async function extendLease(db: Db, lease: JobLease, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`, updatedAt: sql`now()` })
    .where(held(lease))
    .returning({ id: jobs.id });
  return rows.length === 1;
}

/**
 * Give a job back without counting the attempt (graceful shutdown): queued again, runnable now.
 */
export async function release(db: Db, lease: JobLease): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({
      status: 'queued',
      attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
      lockedBy: null,
      lockedUntil: null,
      runAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(held(lease))
    .returning({ id: jobs.id });
  if (rows.length === 1) await db.execute(sql`select pg_notify(${jobsChannel}, '')`);
  return rows.length === 1;
}

export { held as heldBy };
