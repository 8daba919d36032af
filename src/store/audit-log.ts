import { and, desc, eq, sql } from 'drizzle-orm';
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

/** The details of every entry with this action whose subject starts with `prefix` (a repository's PR approvals: `acme/shop#`), newest first. */
export async function auditDetailsUnder(tx: Db, where: { action: string; subjectPrefix: string }): Promise<Array<Record<string, unknown> | null>> {
  const rows = await tx
    .select({ details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, where.action), sql`starts_with(${auditLog.subject}, ${where.subjectPrefix})`))
    .orderBy(desc(auditLog.id));
  return rows.map((r) => r.details);
}
