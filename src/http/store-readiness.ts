/**
 * Readiness of the store: a round trip, and the count of applied migrations (Drizzle's
 * `drizzle.__drizzle_migrations`) against the migrations this build ships.
 */
import { sql } from 'drizzle-orm';
import journal from '../../drizzle/meta/_journal.json' with { type: 'json' };
import type { Db } from '../store/db.ts';
import type { Readiness } from './routes/health.ts';

export const shippedMigrations: number = journal.entries.length;

export function storeReadiness(db: Db): Readiness {
  return async () => {
    const result = await db.execute(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ applied: number }>;
    const applied = Number(rows[0]?.applied ?? 0);
    if (applied < shippedMigrations) {
      return { ready: false, reason: `${applied} of ${shippedMigrations} migrations applied` };
    }
    return { ready: true };
  };
}
