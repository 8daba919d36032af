/**
 * The recommendation history: what was proposed when and where, what became of it (accepted,
 * dismissed, superseded) and what it did afterwards. Proposals are keyed by tenant (installation
 * and repository), app, environment and fingerprint (src/recommend/recommendation-history.ts), so
 * proposing the same thing again on every push updates one row instead of adding rows, and another
 * tenant's app of the same name is never read or changed.
 */
import { and, desc, eq, isNotNull, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { SampleScope } from './metric-samples.ts';
import { recommendations, type Recommendation, type RecommendationStatus } from './schema.ts';

/** Whose recommendations: GitHub's installation and repository ids, as for metric samples. */
export type RecommendationScope = SampleScope;

function inScope(scope: RecommendationScope) {
  return and(eq(recommendations.installationId, scope.installationId), eq(recommendations.repositoryId, scope.repositoryId));
}

export type ProposedRecommendation = RecommendationScope & {
  app: string;
  environment: string;
  service: string;
  kind: string;
  fingerprint: string;
  body: Record<string, unknown>;
  monthlySaving: number;
  pullRequest?: number | null;
  commitSha?: string | null;
};

/**
 * Record proposals. One already recorded is updated (where and when it was last proposed, its
 * body and estimate) and, if it had been dismissed or superseded, is open again; any other open
 * proposal of the same service and kind is superseded by it.
 */
export async function recordProposedRecommendations(tx: Db, proposals: ProposedRecommendation[], now: Date): Promise<Recommendation[]> {
  const out: Recommendation[] = [];
  for (const p of proposals) {
    const [row] = await tx
      .insert(recommendations)
      .values({ ...p, pullRequest: p.pullRequest ?? null, commitSha: p.commitSha ?? null, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [recommendations.installationId, recommendations.repositoryId, recommendations.app, recommendations.environment, recommendations.fingerprint],
        set: {
          body: sql`excluded.body`,
          monthlySaving: sql`excluded.monthly_saving`,
          pullRequest: sql`excluded.pull_request`,
          commitSha: sql`excluded.commit_sha`,
          updatedAt: now,
          status: sql`case when ${recommendations.status} in ('dismissed', 'superseded') then 'open' else ${recommendations.status} end`,
          decidedAt: sql`case when ${recommendations.status} in ('dismissed', 'superseded') then null else ${recommendations.decidedAt} end`,
        },
      })
      .returning();
    await tx
      .update(recommendations)
      .set({ status: 'superseded', decidedAt: now, updatedAt: now })
      .where(
        and(
          inScope(p),
          eq(recommendations.app, p.app),
          eq(recommendations.environment, p.environment),
          eq(recommendations.service, p.service),
          eq(recommendations.kind, p.kind),
          eq(recommendations.status, 'open'),
          ne(recommendations.fingerprint, p.fingerprint),
        ),
      );
    out.push(row!);
  }
  return out;
}

/** Open proposals of an app in an environment, oldest first. */
export async function openRecommendations(tx: Db, scope: RecommendationScope, app: string, environment: string): Promise<Recommendation[]> {
  return tx
    .select()
    .from(recommendations)
    .where(and(inScope(scope), eq(recommendations.app, app), eq(recommendations.environment, environment), eq(recommendations.status, 'open')))
    .orderBy(recommendations.id);
}

/** Accept, dismiss or supersede a proposal; an acceptance records the commit that applied it. */
export async function decideRecommendation(tx: Db, id: number, status: Exclude<RecommendationStatus, 'open'>, at: Date, sha?: string): Promise<void> {
  await tx.update(recommendations).set({ status, decidedAt: at, decidedSha: sha ?? null, updatedAt: at }).where(eq(recommendations.id, id));
}

/** Accepted proposals decided at or before `decidedBefore` whose effect is not measured yet. */
export async function recommendationsAwaitingEffect(tx: Db, scope: RecommendationScope, app: string, environment: string, decidedBefore: Date): Promise<Recommendation[]> {
  return tx
    .select()
    .from(recommendations)
    .where(
      and(
        inScope(scope),
        eq(recommendations.app, app),
        eq(recommendations.environment, environment),
        eq(recommendations.status, 'accepted'),
        isNull(recommendations.effect),
        lte(recommendations.decidedAt, decidedBefore),
      ),
    )
    .orderBy(recommendations.id);
}

export async function recordRecommendationEffect(tx: Db, id: number, effect: Record<string, unknown>, at: Date): Promise<void> {
  await tx.update(recommendations).set({ effect, measuredAt: at, updatedAt: at }).where(eq(recommendations.id, id));
}

/** The latest accepted proposal of this service and kind whose effect was measured. */
export async function lastMeasuredRecommendation(tx: Db, key: RecommendationScope & { app: string; environment: string; service: string; kind: string }): Promise<Recommendation | undefined> {
  const [row] = await tx
    .select()
    .from(recommendations)
    .where(
      and(
        inScope(key),
        eq(recommendations.app, key.app),
        eq(recommendations.environment, key.environment),
        eq(recommendations.service, key.service),
        eq(recommendations.kind, key.kind),
        eq(recommendations.status, 'accepted'),
        isNotNull(recommendations.effect),
      ),
    )
    .orderBy(desc(recommendations.decidedAt), desc(recommendations.id))
    .limit(1);
  return row;
}

/** An app's proposals in an environment, newest first. */
export async function recommendationHistory(tx: Db, scope: RecommendationScope, app: string, environment: string, limit = 100): Promise<Recommendation[]> {
  return tx
    .select()
    .from(recommendations)
    .where(and(inScope(scope), eq(recommendations.app, app), eq(recommendations.environment, environment)))
    .orderBy(desc(recommendations.updatedAt), desc(recommendations.id))
    .limit(limit);
}

/** Every proposal for an app in a repository (all environments and statuses), newest first: the app page. */
export async function appRecommendations(tx: Db, where: { repositoryId: number; app: string }, limit = 200): Promise<Recommendation[]> {
  return tx
    .select()
    .from(recommendations)
    .where(and(eq(recommendations.repositoryId, where.repositoryId), eq(recommendations.app, where.app)))
    .orderBy(desc(recommendations.createdAt), desc(recommendations.id))
    .limit(limit);
}
