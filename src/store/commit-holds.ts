/** Commits held out of an environment after a rollback (see `commitHolds` in schema.ts). */
import { and, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { commitHolds, type CommitHold } from './schema.ts';

export type HoldInput = { environmentId: number; commitSha: string; rollbackDeploymentId: number | null; actor: string; reason: string };

/** Hold a commit (a second rollback from the same commit updates who and why). */
export async function holdCommit(tx: Db, input: HoldInput): Promise<CommitHold> {
  const [row] = await tx
    .insert(commitHolds)
    .values(input)
    .onConflictDoUpdate({ target: [commitHolds.environmentId, commitHolds.commitSha], set: { rollbackDeploymentId: input.rollbackDeploymentId, actor: input.actor, reason: input.reason } })
    .returning();
  return row!;
}

export async function releaseCommit(tx: Db, input: { environmentId: number; commitSha: string }): Promise<void> {
  await tx.delete(commitHolds).where(and(eq(commitHolds.environmentId, input.environmentId), eq(commitHolds.commitSha, input.commitSha)));
}

export async function findCommitHold(tx: Db, input: { environmentId: number; commitSha: string }): Promise<CommitHold | undefined> {
  const [row] = await tx.select().from(commitHolds).where(and(eq(commitHolds.environmentId, input.environmentId), eq(commitHolds.commitSha, input.commitSha)));
  return row;
}

/** The held commits of an environment. */
export async function heldCommits(tx: Db, environmentId: number): Promise<string[]> {
  const rows = await tx.select({ commitSha: commitHolds.commitSha }).from(commitHolds).where(eq(commitHolds.environmentId, environmentId));
  return rows.map((r) => r.commitSha);
}
