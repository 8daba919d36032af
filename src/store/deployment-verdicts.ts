/** A deploy's verdicts, one per check of its watch window (see `deploymentVerdicts` in schema.ts). */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deploymentVerdicts, type DeploymentVerdict, type VerdictName } from './schema.ts';

export type VerdictInput = { deploymentId: number; checkpoint: number; final: boolean; verdict: VerdictName; reason: string; evidence: Record<string, unknown> };

/**
 * Record a check's verdict. A retried job finds its check already recorded and gets that row back
 * (`created: false`): one verdict per check, and one rollback at most.
 */
export async function recordVerdict(tx: Db, input: VerdictInput): Promise<{ row: DeploymentVerdict; created: boolean }> {
  const [row] = await tx.insert(deploymentVerdicts).values(input).onConflictDoNothing().returning();
  if (row) return { row, created: true };
  const [existing] = await tx
    .select()
    .from(deploymentVerdicts)
    .where(and(eq(deploymentVerdicts.deploymentId, input.deploymentId), eq(deploymentVerdicts.checkpoint, input.checkpoint)));
  return { row: existing!, created: false };
}

export async function setVerdictRollback(tx: Db, verdictId: number, rollbackDeploymentId: number): Promise<void> {
  await tx.update(deploymentVerdicts).set({ rollbackDeploymentId }).where(eq(deploymentVerdicts.id, verdictId));
}

export async function deploymentVerdictsOf(tx: Db, deploymentId: number): Promise<DeploymentVerdict[]> {
  return tx.select().from(deploymentVerdicts).where(eq(deploymentVerdicts.deploymentId, deploymentId)).orderBy(asc(deploymentVerdicts.checkpoint));
}
