/**
 * The database handle every store query and the job queue take as their first argument. Both
 * engines' Drizzle instances (PGlite and node-postgres) are this type, and so is a transaction
 * opened on either, so `recordDelivery(tx, …)` and `enqueue(tx, …)` commit together.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
