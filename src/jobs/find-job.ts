import { eq } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { jobs, type Job } from '../store/schema.ts';

/** A job as it stands now (e.g. to wait for one to finish). */
export async function findJob(db: Db, jobId: number): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  return row;
}
