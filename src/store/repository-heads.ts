/** The default-branch heads the tick polls: which repositories, what it last read, and whether a push of a head was seen. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { installations, repositories, repositoryHeads, webhookDeliveries, type Repository, type RepositoryHead } from './schema.ts';

export type TrackedRepository = { repository: Repository; head: RepositoryHead | null };

/**
 * Repositories Slipway tracks: installed (neither they nor their installation removed, the
 * installation not suspended), the longest unpolled first, so that a tick cut short by its rate
 * budget leaves the rest to be polled first by the next one.
 */
export async function trackedRepositories(tx: Db): Promise<TrackedRepository[]> {
  return tx
    .select({ repository: repositories, head: repositoryHeads })
    .from(repositories)
    .innerJoin(installations, eq(installations.id, repositories.installationId))
    .leftJoin(repositoryHeads, eq(repositoryHeads.repositoryId, repositories.id))
    .where(and(isNull(repositories.removedAt), isNull(installations.removedAt), isNull(installations.suspendedAt)))
    .orderBy(sql`${repositoryHeads.polledAt} asc nulls first`, asc(repositories.id));
}

export type HeadUpdate = { repositoryId: number; branch: string; sha: string | null; etag: string | null; problem: string | null };

/** Heads answered 304: only when they were read (one array parameter for all of them). */
export async function markHeadsUnchanged(tx: Db, repositoryIds: number[]): Promise<void> {
  if (repositoryIds.length === 0) return;
  await tx.execute(sql`update ${repositoryHeads} set polled_at = now(), problem = null where repository_id = any(${sql.param(repositoryIds)}::bigint[])`);
}

/** Record what a tick read of each repository (one statement for all of them). */
export async function saveHeads(tx: Db, updates: HeadUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const now = new Date();
  await tx
    .insert(repositoryHeads)
    .values(updates.map((u) => ({ ...u, polledAt: now, changedAt: now })))
    .onConflictDoUpdate({
      target: repositoryHeads.repositoryId,
      set: {
        // A read that failed keeps the last good head and ETag; its problem is recorded.
        changedAt: sql`case when excluded.sha is not null and excluded.sha is distinct from ${repositoryHeads.sha} then excluded.changed_at else ${repositoryHeads.changedAt} end`,
        branch: sql`excluded.branch`,
        sha: sql`coalesce(excluded.sha, ${repositoryHeads.sha})`,
        etag: sql`case when excluded.problem is null then excluded.etag else ${repositoryHeads.etag} end`,
        polledAt: sql`excluded.polled_at`,
        problem: sql`excluded.problem`,
      },
    });
}

/** A push of `sha` to this repository that Slipway received (or enqueued itself): its head is planned or about to be. */
export async function hasPushOf(tx: Db, repositoryId: number, sha: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.event, 'push'),
        sql`${webhookDeliveries.payload} ->> 'after' = ${sha}`,
        sql`(${webhookDeliveries.payload} -> 'repository' ->> 'id')::bigint = ${repositoryId}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

export async function setDefaultBranch(tx: Db, repositoryId: number, branch: string): Promise<void> {
  await tx.update(repositories).set({ defaultBranch: branch, updatedAt: new Date() }).where(eq(repositories.id, repositoryId));
}
