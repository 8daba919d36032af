/** The App's installations and their repositories, as the dashboard lists them (and sign-in asks GitHub about). */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from './db.ts';
import { installations, repositories } from './schema.ts';

export type InstallationOverview = { id: number; account: string; suspended: boolean; repositories: Array<{ id: number; fullName: string }> };

/** Installations not removed; `repositoryIds` limits the repositories listed (and drops installations left with none). */
export async function installationOverview(tx: Db, filter: { repositoryIds?: readonly number[] } = {}): Promise<InstallationOverview[]> {
  if (filter.repositoryIds && filter.repositoryIds.length === 0) return [];
  const rows = await tx
    .select({ id: installations.id, account: installations.accountLogin, suspendedAt: installations.suspendedAt, repositoryId: repositories.id, fullName: repositories.fullName })
    .from(installations)
    .leftJoin(repositories, and(eq(repositories.installationId, installations.id), isNull(repositories.removedAt)))
    .where(and(isNull(installations.removedAt), filter.repositoryIds ? inArray(repositories.id, [...filter.repositoryIds]) : undefined))
    .orderBy(asc(installations.accountLogin), asc(repositories.fullName));
  const byId = new Map<number, InstallationOverview>();
  for (const row of rows) {
    let entry = byId.get(row.id);
    if (!entry) byId.set(row.id, (entry = { id: row.id, account: row.account, suspended: row.suspendedAt !== null, repositories: [] }));
    if (row.repositoryId !== null && row.fullName !== null) entry.repositories.push({ id: row.repositoryId, fullName: row.fullName });
  }
  return [...byId.values()];
}

export async function activeInstallationIds(tx: Db): Promise<number[]> {
  const rows = await tx.select({ id: installations.id }).from(installations).where(isNull(installations.removedAt));
  return rows.map((r) => r.id);
}
