import { eq, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { installations, type Installation } from './schema.ts';

export type InstallationInput = { id: number; accountLogin: string; accountType?: string; suspended?: boolean };

/** Create or refresh an installation (installation.created, .unsuspend, any event naming one). */
export async function upsertInstallation(tx: Db, input: InstallationInput): Promise<Installation> {
  const now = new Date();
  const suspendedAt = input.suspended === undefined ? undefined : input.suspended ? now : null;
  const [row] = await tx
    .insert(installations)
    .values({
      id: input.id,
      accountLogin: input.accountLogin,
      accountType: input.accountType ?? 'Organization',
      suspendedAt: suspendedAt ?? null,
    })
    .onConflictDoUpdate({
      target: installations.id,
      set: {
        accountLogin: input.accountLogin,
        ...(input.accountType ? { accountType: input.accountType } : {}),
        ...(suspendedAt !== undefined ? { suspendedAt } : {}),
        removedAt: null,
        updatedAt: now,
      },
    })
    .returning();
  return row!;
}

/** installation.deleted: keep the row (history, audit) but mark it removed. */
export async function removeInstallation(tx: Db, installationId: number): Promise<void> {
  await tx
    .update(installations)
    .set({ removedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(installations.id, installationId));
}

export async function findInstallation(tx: Db, installationId: number): Promise<Installation | undefined> {
  const [row] = await tx.select().from(installations).where(eq(installations.id, installationId));
  return row;
}
