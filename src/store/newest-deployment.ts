import { and, desc, eq, ne } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deployments } from './schema.ts';

/** The id of an environment's newest deployment (any status), leaving one out (the caller's own). */
export async function newestDeploymentOf(tx: Db, environmentId: number, except?: number): Promise<number | undefined> {
  const [row] = await tx
    .select({ id: deployments.id })
    .from(deployments)
    .where(except === undefined ? eq(deployments.environmentId, environmentId) : and(eq(deployments.environmentId, environmentId), ne(deployments.id, except)))
    .orderBy(desc(deployments.id))
    .limit(1);
  return row?.id;
}
