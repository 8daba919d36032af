/** Whether the store answers a round trip at all (a refused statement is not a store that is down). */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';

export async function storeAnswers(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
