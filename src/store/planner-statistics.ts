/**
 * The query planner's statistics for the embedded store. PGlite is Postgres in one process with no
 * autovacuum daemon, so nothing ever runs ANALYZE: the planner guesses a table's rows from its size
 * and picks nested loops where hash joins belong (a page of 1,000 deployments took a third longer).
 * The reconcile tick refreshes them; Postgres' autovacuum does this on its own.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';

export async function refreshPlannerStatistics(tx: Db): Promise<void> {
  await tx.execute(sql`analyze`);
}
