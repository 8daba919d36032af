/**
 * The dashboard's (and the API's) overview: every app × environment with its newest deployment
 * and the one last applied, in three statements whatever the number of apps (1,000 apps: see
 * bench/dashboard.bench.ts). Limited to the repositories a person may see when given.
 */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { apps, deployments, environments, repositories, type DeploymentStatus } from './schema.ts';

export type OverviewDeployment = { id: number; status: DeploymentStatus; commitSha: string; monthlyCostUsd: number | null; createdAt: Date; finishedAt: Date | null };

export type AppEnvironmentRow = {
  repositoryId: number;
  repository: string;
  installationId: number;
  appId: number;
  app: string;
  environmentId: number;
  environment: string;
  kind: string;
  /** The newest deployment, whatever its status. */
  latest?: OverviewDeployment;
  /** The newest that succeeded: the commit that is live. */
  applied?: OverviewDeployment;
};

const deploymentColumns = {
  environmentId: deployments.environmentId,
  id: deployments.id,
  status: deployments.status,
  commitSha: deployments.commitSha,
  monthlyCostUsd: deployments.monthlyCostUsd,
  createdAt: deployments.createdAt,
  finishedAt: deployments.finishedAt,
};

export type OverviewFilter = { repositoryIds?: readonly number[]; limit?: number; offset?: number };

/**
 * One page of app × environment rows, in order of repository, app and environment, and how many
 * there are in all. `repositoryIds` undefined: every repository (an operator with the API token).
 */
export async function appEnvironmentOverview(tx: Db, filter: OverviewFilter = {}): Promise<{ rows: AppEnvironmentRow[]; total: number }> {
  if (filter.repositoryIds && filter.repositoryIds.length === 0) return { rows: [], total: 0 };
  const where = and(isNull(environments.removedAt), isNull(repositories.removedAt), filter.repositoryIds ? inArray(apps.repositoryId, [...filter.repositoryIds]) : undefined);
  // Aliases of their own (`page_…`): inside the lateral subqueries an unqualified `app_id` would
  // be the deployment's own column.
  // The page of environments first, then only its deployments: per environment, the newest and
  // the newest that succeeded, two probes of deployments_app_env_idx (app, environment, id)
  // walked backwards (1,000 apps: 2 × 200 probes for a page instead of reading every deployment).
  const page = tx
    .select({
      repositoryId: sql<number>`${repositories.id}`.as('page_repository_id'),
      repository: sql<string>`${repositories.fullName}`.as('page_repository'),
      installationId: sql<number>`${repositories.installationId}`.as('page_installation_id'),
      appId: sql<number>`${apps.id}`.as('page_app_id'),
      app: sql<string>`${apps.name}`.as('page_app'),
      environmentId: sql<number>`${environments.id}`.as('page_environment_id'),
      environment: sql<string>`${environments.name}`.as('page_environment'),
      kind: sql<string>`${environments.kind}`.as('page_kind'),
    })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(where)
    .orderBy(asc(repositories.fullName), asc(apps.name), asc(environments.name))
    .limit(filter.limit ?? 10_000)
    .offset(filter.offset ?? 0)
    .as('page');
  const newest = (alias: string, condition?: SQL) =>
    tx
      .select({
        id: sql<number>`${deployments.id}`.as(`${alias}_id`),
        status: sql<DeploymentStatus>`${deployments.status}`.as(`${alias}_status`),
        commitSha: sql<string>`${deployments.commitSha}`.as(`${alias}_commit_sha`),
        monthlyCostUsd: sql<number | null>`${deployments.monthlyCostUsd}`.as(`${alias}_cost`),
        createdAt: sql<Date>`${deployments.createdAt}`.as(`${alias}_created_at`),
        finishedAt: sql<Date | null>`${deployments.finishedAt}`.as(`${alias}_finished_at`),
      })
      .from(deployments)
      .where(and(eq(deployments.appId, page.appId), eq(deployments.environmentId, page.environmentId), condition))
      .orderBy(desc(deployments.appId), desc(deployments.environmentId), desc(deployments.id))
      .limit(1)
      .as(alias);
  const latest = newest('latest');
  const applied = newest('applied', eq(deployments.status, 'succeeded'));
  const [rows, [count]] = await Promise.all([
    tx
      .select({
        repositoryId: page.repositoryId,
        repository: page.repository,
        installationId: page.installationId,
        appId: page.appId,
        app: page.app,
        environmentId: page.environmentId,
        environment: page.environment,
        kind: page.kind,
        latest: { id: latest.id, status: latest.status, commitSha: latest.commitSha, monthlyCostUsd: latest.monthlyCostUsd, createdAt: latest.createdAt, finishedAt: latest.finishedAt },
        applied: { id: applied.id, status: applied.status, commitSha: applied.commitSha, monthlyCostUsd: applied.monthlyCostUsd, createdAt: applied.createdAt, finishedAt: applied.finishedAt },
      })
      .from(page)
      .leftJoinLateral(latest, sql`true`)
      .leftJoinLateral(applied, sql`true`)
      .orderBy(asc(page.repository), asc(page.app), asc(page.environment)),
    tx
      .select({ n: sql<number>`count(*)` })
      .from(environments)
      .innerJoin(apps, eq(apps.id, environments.appId))
      .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
      .where(where),
  ]);
  return {
    total: Number(count?.n ?? 0),
    rows: rows.map(({ latest: l, applied: a, ...row }) => ({
      ...row,
      repositoryId: Number(row.repositoryId),
      installationId: Number(row.installationId),
      appId: Number(row.appId),
      environmentId: Number(row.environmentId),
      ...(l && l.id !== null ? { latest: deploymentOf(l) } : {}),
      ...(a && a.id !== null ? { applied: deploymentOf(a) } : {}),
    })),
  };
}

/** Raw lateral columns come back as the driver gives them (PGlite and pg differ on timestamps and bigints). */
function deploymentOf(d: { id: number; status: DeploymentStatus; commitSha: string; monthlyCostUsd: number | null; createdAt: Date | string; finishedAt: Date | string | null }): OverviewDeployment {
  return {
    id: Number(d.id),
    status: d.status,
    commitSha: d.commitSha,
    monthlyCostUsd: d.monthlyCostUsd === null ? null : Number(d.monthlyCostUsd),
    createdAt: new Date(d.createdAt),
    finishedAt: d.finishedAt === null ? null : new Date(d.finishedAt),
  };
}

/** Every repository id the store knows, by full name (a GitHub user's access is listed by name). */
export async function repositoryIdsByName(tx: Db, fullNames: readonly string[]): Promise<Map<string, number>> {
  if (fullNames.length === 0) return new Map();
  const rows = await tx
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(and(inArray(sql`lower(${repositories.fullName})`, fullNames.map((n) => n.toLowerCase())), isNull(repositories.removedAt)));
  return new Map(rows.map((r) => [r.fullName.toLowerCase(), r.id]));
}
