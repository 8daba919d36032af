import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { installations, repositories, type Repository } from './schema.ts';

export type RepositoryInput = { id: number; fullName: string; defaultBranch?: string | null; private?: boolean };

/** installation_repositories.added (and installation.created): add or refresh repositories. */
export async function upsertRepositories(tx: Db, installationId: number, repos: RepositoryInput[]): Promise<Repository[]> {
  if (repos.length === 0) return [];
  return tx
    .insert(repositories)
    .values(
      repos.map((r) => ({
        id: r.id,
        installationId,
        fullName: r.fullName,
        defaultBranch: r.defaultBranch ?? null,
        private: r.private ?? false,
      })),
    )
    .onConflictDoUpdate({
      target: repositories.id,
      set: {
        installationId,
        fullName: sql`excluded.full_name`,
        defaultBranch: sql`coalesce(excluded.default_branch, ${repositories.defaultBranch})`,
        private: sql`excluded.private`,
        removedAt: null,
        updatedAt: sql`now()`,
      },
    })
    .returning();
}

/** installation_repositories.removed: mark them removed (their apps and history are kept). */
export async function removeRepositories(tx: Db, installationId: number, repositoryIds: number[]): Promise<number> {
  if (repositoryIds.length === 0) return 0;
  const rows = await tx
    .update(repositories)
    .set({ removedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(repositories.installationId, installationId), inArray(repositories.id, repositoryIds)))
    .returning({ id: repositories.id });
  return rows.length;
}

export async function findRepository(tx: Db, repositoryId: number): Promise<Repository | undefined> {
  const [row] = await tx.select().from(repositories).where(eq(repositories.id, repositoryId));
  return row;
}

/**
 * The repository Slipway records under `owner/name` (as GitHub does, case-insensitively), if it is
 * installed: not removed, its installation neither removed nor suspended. After a rename the old
 * name finds nothing once GitHub's event has updated the row.
 */
export async function findInstalledRepository(tx: Db, fullName: string): Promise<Repository | undefined> {
  const [row] = await tx
    .select({ repository: repositories })
    .from(repositories)
    .innerJoin(installations, eq(installations.id, repositories.installationId))
    .where(
      and(
        sql`lower(${repositories.fullName}) = lower(${fullName})`,
        isNull(repositories.removedAt),
        isNull(installations.removedAt),
        isNull(installations.suspendedAt),
      ),
    )
    .orderBy(desc(repositories.updatedAt))
    .limit(1);
  return row?.repository;
}
