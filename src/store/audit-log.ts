import { and, desc, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { auditLog, type AuditEntry } from './schema.ts';

/** Who did what to which subject (a deployment, an installation, a policy override…). */
export async function writeAudit(
  tx: Db,
  entry: { actor: string; action: string; subject?: string | null; details?: Record<string, unknown> },
): Promise<AuditEntry> {
  const [row] = await tx
    .insert(auditLog)
    .values({ actor: entry.actor, action: entry.action, subject: entry.subject ?? null, details: entry.details ?? null })
    .returning();
  return row!;
}

export async function recentAudit(tx: Db, limit = 50): Promise<AuditEntry[]> {
  return tx.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
}

/** The details of every entry with this action and subject, newest first (e.g. a PR's approvals). */
export async function auditDetails(tx: Db, where: { action: string; subject: string }): Promise<Array<Record<string, unknown> | null>> {
  const rows = await tx
    .select({ details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, where.action), eq(auditLog.subject, where.subject)))
    .orderBy(desc(auditLog.id));
  return rows.map((r) => r.details);
}
