import { desc } from 'drizzle-orm';
import type { Db } from './db.ts';
import { auditLog, type AuditEntry } from './schema.ts';

/** Who did what to which subject (a deployment, an installation, a policy override…). */
export async function writeAudit(
  tx: Db,
  entry: { actor: string; action: string; subject?: string | null; details?: unknown },
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
