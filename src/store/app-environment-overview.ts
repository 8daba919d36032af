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

/** `repositoryIds` undefined: every repository (an operator with the API token). */
export async function appEnvironmentOverview(tx: Db, filter: { repositoryIds?: readonly number[] } = {}): Promise<AppEnvironmentRow[]> {
  if (filter.repositoryIds && filter.repositoryIds.length === 0) return [];
  const visible: SQL | undefined = filter.repositoryIds ? inArray(apps.repositoryId, [...filter.repositoryIds]) : undefined;
  const rows = await tx
    .select({
      repositoryId: repositories.id,
      repository: repositories.fullName,
      installationId: repositories.installationId,
      appId: apps.id,
      app: apps.name,
      environmentId: environments.id,
      environment: environments.name,
      kind: environments.kind,
    })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(and(isNull(environments.removedAt), isNull(repositories.removedAt), visible))
    .orderBy(asc(repositories.fullName), asc(apps.name), asc(environments.name));
  if (rows.length === 0) return [];
  const environmentIds = rows.map((r) => r.environmentId);
  // Newest per environment (DISTINCT ON walks deployments_app_env_idx backwards per environment).
  const newest = (where: SQL | undefined) =>
    tx
      .selectDistinctOn([deployments.environmentId], deploymentColumns)
      .from(deployments)
      .where(and(inArray(deployments.environmentId, environmentIds), where))
      .orderBy(deployments.environmentId, desc(deployments.id));
  const [latest, applied] = await Promise.all([newest(undefined), newest(eq(deployments.status, sql`'succeeded'`))]);
  const byEnvironment = (list: typeof latest) => new Map(list.map(({ environmentId, ...d }) => [environmentId, d as OverviewDeployment]));
  const latestOf = byEnvironment(latest);
  const appliedOf = byEnvironment(applied);
  return rows.map((row) => {
    const l = latestOf.get(row.environmentId);
    const a = appliedOf.get(row.environmentId);
    return { ...row, ...(l ? { latest: l } : {}), ...(a ? { applied: a } : {}) };
  });
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
