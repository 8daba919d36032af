/** API tokens: created with their hash only, found by hash, listed, revoked (never deleted). */
import { desc, eq, isNull, and, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { apiTokens, type ApiToken, type TokenRole } from './schema.ts';

export type NewApiToken = { name: string; tokenHash: string; prefix: string; role: TokenRole; repositories: string[] | null; createdBy: string; expiresAt: Date | null };

export async function insertApiToken(tx: Db, input: NewApiToken): Promise<ApiToken> {
  const [row] = await tx.insert(apiTokens).values(input).returning();
  return row!;
}

/**
 * Every API request looks its token up first, so the query's SQL is built once per database
 * handle (Drizzle builds a select anew at each call: a quarter of this lookup's CPU on the embedded
 * store). Unnamed (''): not a server-side prepared statement, which poolers in transaction mode
 * (PgBouncer, Hyperdrive) do not keep.
 */
const byHash = new WeakMap<Db, ReturnType<typeof prepareFindByHash>>();
const prepareFindByHash = (tx: Db) => tx.select().from(apiTokens).where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash'))).prepare('');

export async function findApiTokenByHash(tx: Db, tokenHash: string): Promise<ApiToken | undefined> {
  let query = byHash.get(tx);
  if (!query) byHash.set(tx, (query = prepareFindByHash(tx)));
  const [row] = await query.execute({ tokenHash });
  return row;
}

export async function listApiTokens(tx: Db): Promise<ApiToken[]> {
  return tx.select().from(apiTokens).orderBy(desc(apiTokens.id));
}

/** Revokes a token that is not revoked yet; resolves to it, or undefined when there is no such live token. */
export async function revokeApiToken(tx: Db, id: number, at: Date): Promise<ApiToken | undefined> {
  const [row] = await tx.update(apiTokens).set({ revokedAt: at }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).returning();
  return row;
}
