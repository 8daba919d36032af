/**
 * The store's handle over one node-postgres client the caller opened and will close (the
 * Cloudflare Worker entry opens one per request through Hyperdrive).
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Db } from './db.ts';
import * as schema from './schema.ts';

export function postgresClientDb(client: pg.Client): Db {
  return drizzle({ client, schema }) as unknown as Db;
}
