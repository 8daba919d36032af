/**
 * The API's reads: pages of apps, environments, deployments, recommendations and deliveries,
 * newest first, each limited to the caller's repositories and filtered by repository, app and
 * environment names. A page is `limit` rows with ids below `before` (the last id of the page
 * before): stable while new rows arrive.
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deploymentRowColumns } from './deployments.ts';
import { jsonFields, jsonRows, type JsonRow } from './json-rows.ts';
import type { DeploymentListing } from './deployment-runs.ts';
import { inRepositoryScope, type RepositoryScope } from './repository-scope.ts';
import {
  apps,
  deploymentEvents,
  deployments,
  environments,
  recommendations,
  repositories,
  webhookDeliveries,
  type DeploymentEvent,
  type DeploymentStatus,
  type RecommendationStatus,
} from './schema.ts';

export type PageQuery = { scope: RepositoryScope; limit: number; before?: number; repository?: string; app?: string; environment?: string };

const all = (conditions: Array<SQL | undefined>) => {
  const present = conditions.filter((c): c is SQL => c !== undefined);
  return present.length > 0 ? and(...present) : undefined;
};
const names = (q: PageQuery) => [
  q.repository === undefined ? undefined : eq(repositories.fullName, q.repository),
  q.app === undefined ? undefined : eq(apps.name, q.app),
];

export type AppListing = { id: number; repository: string; name: string; configPath: string; createdAt: Date };

export async function listAppPage(tx: Db, q: PageQuery): Promise<AppListing[]> {
  return tx
    .select({ id: apps.id, repository: repositories.fullName, name: apps.name, configPath: apps.configPath, createdAt: apps.createdAt })
    .from(apps)
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(all([inRepositoryScope(q.scope), ...names(q), q.before === undefined ? undefined : lt(apps.id, q.before)]))
    .orderBy(desc(apps.id))
    .limit(q.limit);
}

export type EnvironmentListing = { id: number; repository: string; app: string; name: string; kind: string; pullRequest: number | null; createdAt: Date; removedAt: Date | null };

export async function listEnvironmentPage(tx: Db, q: PageQuery): Promise<EnvironmentListing[]> {
  return tx
    .select({ id: environments.id, repository: repositories.fullName, app: apps.name, name: environments.name, kind: environments.kind, pullRequest: environments.pullRequest, createdAt: environments.createdAt, removedAt: environments.removedAt })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(
      all([
        inRepositoryScope(q.scope),
        ...names(q),
        q.environment === undefined ? undefined : eq(environments.name, q.environment),
        q.before === undefined ? undefined : lt(environments.id, q.before),
      ]),
    )
    .orderBy(desc(environments.id))
    .limit(q.limit);
}

/**
 * A listed deployment: what the API shows of it (without Terraform's plan, tens of KB each, nor its
 * settings; `findScopedDeployment` has them). One JSON document from Postgres (json-rows.ts): on
 * the embedded store a page of 1,000 took about 40% less CPU than its 22 columns read row by row.
 */
const summaryColumns = {
  id: deployments.id,
  repository: repositories.fullName,
  app: apps.name,
  environment: environments.name,
  status: deployments.status,
  commitSha: deployments.commitSha,
  trigger: deployments.trigger,
  monthlyCostUsd: deployments.monthlyCostUsd,
  planSummary: deployments.planSummary,
  outputs: deployments.outputs,
  failure: deployments.failure,
  createdAt: deployments.createdAt,
  startedAt: deployments.startedAt,
  finishedAt: deployments.finishedAt,
};
export type DeploymentSummaryListing = JsonRow<typeof summaryColumns>;

export async function listDeploymentPage(tx: Db, q: PageQuery & { status?: DeploymentStatus }): Promise<DeploymentSummaryListing[]> {
  const page = tx
    .select(jsonFields(summaryColumns))
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(
      all([
        inRepositoryScope(q.scope),
        ...names(q),
        q.environment === undefined ? undefined : eq(environments.name, q.environment),
        q.status === undefined ? undefined : eq(deployments.status, q.status),
        q.before === undefined ? undefined : lt(deployments.id, q.before),
      ]),
    )
    .orderBy(desc(deployments.id))
    .limit(q.limit);
  return jsonRows(tx, summaryColumns, page);
}

/** A deployment with where it deploys to, only when the scope lets the caller see it. */
export async function findScopedDeployment(tx: Db, id: number, scope: RepositoryScope): Promise<DeploymentListing | undefined> {
  const [row] = await tx
    .select({ ...deploymentRowColumns, app: apps.name, environment: environments.name, repository: repositories.fullName, repositoryId: repositories.id, installationId: repositories.installationId })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(all([eq(deployments.id, id), inRepositoryScope(scope)]));
  return row;
}

/** A deployment as the API details it: its listing, Terraform's plan and its status history. */
export type DeploymentDetailListing = DeploymentSummaryListing & { terraformPlan: unknown; history: DeploymentHistoryEntry[] };
export type DeploymentHistoryEntry = Pick<DeploymentEvent, 'status' | 'actor' | 'reason' | 'at'>;

/**
 * `GET /deployments/{id}`: the deployment and its history in one statement (the history a JSON
 * array beside the row), only when the scope lets the caller see it. One statement instead of
 * two: on the embedded store each is planned and answered in turn, at a few tenths of a ms each.
 */
export async function findScopedDeploymentDetail(tx: Db, id: number, scope: RepositoryScope): Promise<DeploymentDetailListing | undefined> {
  const history = sql<Array<Omit<DeploymentHistoryEntry, 'at'> & { at: string }>>`(
    select coalesce(json_agg(json_build_object('status', ${deploymentEvents.status}, 'actor', ${deploymentEvents.actor}, 'reason', ${deploymentEvents.reason}, 'at', ${deploymentEvents.at}) order by ${deploymentEvents.id}), '[]')
    from ${deploymentEvents} where ${deploymentEvents.deploymentId} = ${deployments.id})`;
  const [row] = await tx
    .select({ ...summaryColumns, terraformPlan: deployments.terraformPlan, history })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(all([eq(deployments.id, id), inRepositoryScope(scope)]));
  return row ? { ...row, history: row.history.map((e) => ({ ...e, at: new Date(e.at) })) } : undefined;
}

export type RecommendationListing = typeof recommendations.$inferSelect & { repository: string };

export async function listRecommendationPage(tx: Db, q: PageQuery & { status?: RecommendationStatus }): Promise<RecommendationListing[]> {
  const rows = await tx
    .select({ recommendation: recommendations, repository: repositories.fullName })
    .from(recommendations)
    .innerJoin(repositories, eq(repositories.id, recommendations.repositoryId))
    .where(
      all([
        inRepositoryScope(q.scope),
        q.repository === undefined ? undefined : eq(repositories.fullName, q.repository),
        q.app === undefined ? undefined : eq(recommendations.app, q.app),
        q.environment === undefined ? undefined : eq(recommendations.environment, q.environment),
        q.status === undefined ? undefined : eq(recommendations.status, q.status),
        q.before === undefined ? undefined : lt(recommendations.id, q.before),
      ]),
    )
    .orderBy(desc(recommendations.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.recommendation, repository: r.repository }));
}

export type DeliveryListing = { deliveryId: string; event: string; action: string | null; installationId: number | null; receivedAt: Date; outcome: string | null; processedAt: Date | null };

/** Deliveries newest first, without their payloads; paged by the time received (`before`: epoch ms). */
export async function listDeliveryPage(tx: Db, q: { limit: number; before?: Date; event?: string }): Promise<DeliveryListing[]> {
  return tx
    .select({ deliveryId: webhookDeliveries.deliveryId, event: webhookDeliveries.event, action: webhookDeliveries.action, installationId: webhookDeliveries.installationId, receivedAt: webhookDeliveries.receivedAt, outcome: webhookDeliveries.outcome, processedAt: webhookDeliveries.processedAt })
    .from(webhookDeliveries)
    .where(all([q.event === undefined ? undefined : eq(webhookDeliveries.event, q.event), q.before === undefined ? undefined : lt(webhookDeliveries.receivedAt, q.before)]))
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(q.limit);
}
