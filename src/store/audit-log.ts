/**
 * The audit log: appended to, read, never updated or deleted (a trigger refuses both; see
 * schema.ts). Entries never hold a secret or a request body: who, from where, what, on what, and
 * how it ended, with small details (ids, names, a reason).
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { auditLog, type AuditEntry, type AuditResult } from './schema.ts';

export type AuditInput = {
  actor: string;
  action: string;
  subject?: string | null;
  source?: string | null;
  result?: AuditResult;
  details?: Record<string, unknown>;
};

/** Who did what to which subject (a deployment, an installation, a policy override…). */
export async function writeAudit(tx: Db, entry: AuditInput): Promise<AuditEntry> {
  const [row] = await tx
    .insert(auditLog)
    .values({ actor: entry.actor, action: entry.action, subject: entry.subject ?? null, source: entry.source ?? null, result: entry.result ?? 'ok', details: entry.details ?? null })
    .returning();
  return row!;
}

export async function recentAudit(tx: Db, limit = 50): Promise<AuditEntry[]> {
  return listAudit(tx, { limit });
}

/** Newest first, a page at a time (`before`: the last id of the previous page), filtered when asked. */
export async function listAudit(
  tx: Db,
  filter: { limit: number; before?: number; actor?: string; action?: string; subject?: string; result?: AuditResult },
): Promise<AuditEntry[]> {
  const conditions = [
    filter.before === undefined ? undefined : lt(auditLog.id, filter.before),
    filter.actor === undefined ? undefined : eq(auditLog.actor, filter.actor),
    filter.action === undefined ? undefined : eq(auditLog.action, filter.action),
    filter.subject === undefined ? undefined : eq(auditLog.subject, filter.subject),
    filter.result === undefined ? undefined : eq(auditLog.result, filter.result),
  ].filter((c): c is SQL => c !== undefined);
  return tx
    .select()
    .from(auditLog)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
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
