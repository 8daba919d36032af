/**
 * A select whose rows come back as one JSON document built by Postgres (`json_agg`), decoded here
 * with the columns' own mappers: one field to decode instead of rows × columns. On the embedded
 * store the decoding was most of a long listing's cost — PGlite decodes its wire protocol in
 * JavaScript at about a microsecond a field, so 1,000 deployments × 22 columns took longer than
 * the query — and from the store's thread it is one string to copy to the service's thread
 * instead of 1,000 objects. Postgres builds the document about as fast as it sends the rows, so
 * both engines use it.
 *
 *   const rows = await jsonRows(tx, columns, tx.select(jsonFields(columns)).from(…).where(…).orderBy(…).limit(n));
 *
 * The rows keep the subquery's order (Postgres aggregates a sorted subquery's rows in its order).
 */
import { sql, type AnyColumn, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from './db.ts';

type Columns = Record<string, AnyColumn>;

/** A row of `columns`: each key's column value, `null` where the column may be null. */
export type JsonRow<C extends Columns> = { [K in keyof C]: C[K]['_']['notNull'] extends true ? C[K]['_']['data'] : C[K]['_']['data'] | null };

/** The select list for `jsonRows`: each column under its key (json_agg names a value by its column's name). */
export function jsonFields<C extends Columns>(columns: C): { [K in keyof C]: SQL.Aliased<C[K]['_']['data']> } {
  return Object.fromEntries(Object.entries(columns).map(([key, column]) => [key, sql`${column}`.as(key)])) as never;
}

export async function jsonRows<C extends Columns>(tx: Db, columns: C, query: SQLWrapper): Promise<Array<JsonRow<C>>> {
  const result = await tx.execute(sql`select coalesce(json_agg(q), '[]')::text as rows from (${query}) q`);
  const [first] = (result as unknown as { rows: Array<{ rows: string }> }).rows;
  const rows = JSON.parse(first?.rows ?? '[]') as Array<Record<string, unknown>>;
  const decoders = Object.entries(columns).flatMap(([key, column]) =>
    // JSON and JSONB values are in the document already decoded (a JSONB string must stay a string).
    column.dataType === 'json' ? [] : [[key, (value: unknown) => column.mapFromDriverValue(value)] as const],
  );
  for (const row of rows) {
    for (const [key, decode] of decoders) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = decode(value);
    }
  }
  return rows as Array<JsonRow<C>>;
}
