import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deploymentLogs, type DeploymentLog } from './schema.ts';

export type DeploymentLogChunk = { deploymentId: number; step: string; text: string };

/** Append chunks of a run's output (already redacted and bounded by the runner), in order. */
export async function appendDeploymentLog(tx: Db, chunks: DeploymentLogChunk[]): Promise<void> {
  if (chunks.length === 0) return;
  await tx.insert(deploymentLogs).values(chunks);
}

/** A deployment's log, oldest chunk first. */
export async function readDeploymentLog(tx: Db, deploymentId: number): Promise<DeploymentLog[]> {
  return tx.select().from(deploymentLogs).where(eq(deploymentLogs.deploymentId, deploymentId)).orderBy(asc(deploymentLogs.id));
}

/** Bytes of log already stored for a deployment (a retried run continues within the same bound). */
export async function deploymentLogBytes(tx: Db, deploymentId: number): Promise<number> {
  const [row] = await tx
    .select({ bytes: sql<string | number>`coalesce(sum(octet_length(${deploymentLogs.text})), 0)` })
    .from(deploymentLogs)
    .where(eq(deploymentLogs.deploymentId, deploymentId));
  return Number(row?.bytes ?? 0);
}
