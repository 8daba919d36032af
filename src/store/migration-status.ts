/**
 * How many migrations the database has applied (Drizzle's `drizzle.__drizzle_migrations`) against
 * how many this build ships: a store behind its code is not ready.
 */
import { sql } from 'drizzle-orm';
import journal from '../../drizzle/meta/_journal.json' with { type: 'json' };
import type { Db } from './db.ts';

export const shippedMigrations: number = journal.entries.length;

export async function migrationStatus(db: Db): Promise<{ applied: number; shipped: number }> {
  const result = await db.execute(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ applied: number }>;
  return { applied: Number(rows[0]?.applied ?? 0), shipped: shippedMigrations };
}
