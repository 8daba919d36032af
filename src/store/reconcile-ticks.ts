/** The reconcile ticks: started, finished with their summary, and the last one (its time bounds the next tick's window). */
import { desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from './db.ts';
import { reconcileTicks, type ReconcileTick, type TickSummary } from './schema.ts';

export async function startTick(tx: Db, jobId: number | null): Promise<ReconcileTick> {
  const [row] = await tx.insert(reconcileTicks).values({ jobId }).returning();
  return row!;
}

export async function finishTick(tx: Db, tickId: number, summary: TickSummary): Promise<void> {
  await tx.update(reconcileTicks).set({ finishedAt: new Date(), summary }).where(eq(reconcileTicks.id, tickId));
}

/** The newest tick that finished (a tick that died part-way does not move the window). */
export async function lastFinishedTick(tx: Db): Promise<ReconcileTick | undefined> {
  const [row] = await tx.select().from(reconcileTicks).where(isNotNull(reconcileTicks.finishedAt)).orderBy(desc(reconcileTicks.id)).limit(1);
  return row;
}

export async function findTickOfJob(tx: Db, jobId: number): Promise<ReconcileTick | undefined> {
  const [row] = await tx.select().from(reconcileTicks).where(eq(reconcileTicks.jobId, jobId)).orderBy(desc(reconcileTicks.id)).limit(1);
  return row;
}
