/**
 * Preview environments (one per pull request and app): recorded when a pull request is planned,
 * read by the deploy job when a preview's run ends, by the reconcile tick's sweep (expired ones,
 * destroys to retry) and by `slipway status`. See src/previews/.
 */
import { and, asc, desc, eq, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { tenantColumns, type TenantNames } from './tenant-columns.ts';
import { apps, deployments, environments, previews, repositories, type Deployment, type Preview, type PreviewState } from './schema.ts';

/** A preview with the names the PR, GitHub and the runner know it by. */
export type PreviewListing = Preview & TenantNames;

export type PreviewPatch = Partial<Omit<Preview, 'environmentId' | 'appId' | 'createdAt'>>;

const listing = { preview: previews, ...tenantColumns };

function joined(tx: Db) {
  return tx
    .select(listing)
    .from(previews)
    .innerJoin(environments, eq(environments.id, previews.environmentId))
    .innerJoin(apps, eq(apps.id, previews.appId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId));
}

const flat = ({ preview, ...names }: { preview: Preview } & TenantNames): PreviewListing => ({ ...preview, ...names });

export async function findPreview(tx: Db, environmentId: number): Promise<PreviewListing | undefined> {
  const [row] = await joined(tx).where(eq(previews.environmentId, environmentId));
  return row ? flat(row) : undefined;
}

/** Recorded (or brought up to date) for a push to a pull request: its head, the push time, the TTL. */
export async function upsertPreview(
  tx: Db,
  input: { environmentId: number; appId: number; pullRequest: number; headSha: string; fork: boolean; lastPushAt: Date; ttlSeconds: number; githubEnvironment: string },
): Promise<Preview> {
  const [row] = await tx
    .insert(previews)
    .values({ ...input, state: 'open' })
    .onConflictDoUpdate({
      target: previews.environmentId,
      set: { headSha: input.headSha, fork: input.fork, lastPushAt: input.lastPushAt, ttlSeconds: input.ttlSeconds, githubEnvironment: input.githubEnvironment, updatedAt: sql`now()` },
    })
    .returning();
  return row!;
}

export async function updatePreview(tx: Db, environmentId: number, patch: PreviewPatch): Promise<void> {
  await tx
    .update(previews)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(previews.environmentId, environmentId));
}

/** An app's previews in these states, least recently pushed first. */
export async function previewsOfApp(tx: Db, appId: number, states: readonly PreviewState[]): Promise<PreviewListing[]> {
  const rows = await joined(tx)
    .where(and(eq(previews.appId, appId), inArray(previews.state, [...states])))
    .orderBy(asc(previews.lastPushAt), asc(previews.environmentId));
  return rows.map(flat);
}

/** Every app's preview for one pull request of a repository. */
export async function previewsOfPullRequest(tx: Db, input: { repositoryId: number; pullRequest: number }): Promise<PreviewListing[]> {
  const rows = await joined(tx)
    .where(and(eq(repositories.id, input.repositoryId), eq(previews.pullRequest, input.pullRequest)))
    .orderBy(asc(apps.name));
  return rows.map(flat);
}

/** Open previews whose TTL ran out by `now` (the partial index on `expires_at` answers it). */
export async function expiredPreviews(tx: Db, now: Date): Promise<PreviewListing[]> {
  const rows = await joined(tx).where(and(eq(previews.state, 'open'), isNotNull(previews.expiresAt), lte(previews.expiresAt, now)));
  return rows.map(flat);
}

/** Destroys that did not finish and are due to be tried again. */
export async function destroyRetriesDue(tx: Db, now: Date): Promise<PreviewListing[]> {
  const rows = await joined(tx).where(and(eq(previews.state, 'destroy-failed'), isNotNull(previews.retryAt), lte(previews.retryAt, now)));
  return rows.map(flat);
}

/** Every preview not yet destroyed, for `slipway status`. */
export async function livePreviews(tx: Db): Promise<PreviewListing[]> {
  const rows = await joined(tx)
    .where(ne(previews.state, 'destroyed'))
    .orderBy(asc(repositories.fullName), asc(apps.name), asc(previews.pullRequest));
  return rows.map(flat);
}

/** An app's preview by its environment's name (`pr-42`). */
export async function findPreviewByName(tx: Db, appId: number, environment: string): Promise<PreviewListing | undefined> {
  const [row] = await joined(tx).where(and(eq(previews.appId, appId), eq(environments.name, environment)));
  return row ? flat(row) : undefined;
}

/** The preview's last successful apply (trigger `preview`; a destroy is not one). */
export async function lastPreviewApply(tx: Db, environmentId: number): Promise<Deployment | undefined> {
  const [row] = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environmentId, environmentId), eq(deployments.trigger, 'preview'), eq(deployments.status, 'succeeded')))
    .orderBy(desc(deployments.id))
    .limit(1);
  return row;
}
