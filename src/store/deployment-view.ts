/**
 * A deployment as the dashboard (and the API) shows it: where it deploys, its plan summary, cost,
 * policy results, failure, status history and log. The log can be read from a chunk on, for a
 * page that follows a running deployment.
 */
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import type { Db } from './db.ts';
import { findDeployment, type DeploymentListing } from './deployment-runs.ts';
import { deploymentHistory } from './deployments.ts';
import { apps, deploymentLogs, deployments, environments, type DeploymentEvent, type DeploymentLog } from './schema.ts';

export type DeploymentView = DeploymentListing & { repositoryId: number; history: DeploymentEvent[]; log: DeploymentLog[] };

export async function deploymentView(tx: Db, deploymentId: number): Promise<DeploymentView | undefined> {
  const listing = await findDeployment(tx, deploymentId);
  if (!listing) return undefined;
  const [[app], history, log] = await Promise.all([
    tx.select({ repositoryId: apps.repositoryId }).from(apps).where(eq(apps.id, listing.appId)),
    deploymentHistory(tx, deploymentId),
    deploymentLogAfter(tx, deploymentId, 0),
  ]);
  return { ...listing, repositoryId: app!.repositoryId, history, log };
}

/** Log chunks after chunk id `afterId` (0: from the start), oldest first, at most `limit`. */
export async function deploymentLogAfter(tx: Db, deploymentId: number, afterId: number, limit = 2_000): Promise<DeploymentLog[]> {
  return tx
    .select()
    .from(deploymentLogs)
    .where(and(eq(deploymentLogs.deploymentId, deploymentId), gt(deploymentLogs.id, afterId)))
    .orderBy(asc(deploymentLogs.id))
    .limit(limit);
}

export type AppDeploymentRow = { id: number; environment: string; status: DeploymentListing['status']; commitSha: string; trigger: string; monthlyCostUsd: number | null; createdAt: Date; finishedAt: Date | null };

/** An app and its newest deployments across environments (the app page). */
export async function appWithDeployments(tx: Db, appId: number, limit = 50): Promise<{ app: { id: number; name: string; repositoryId: number; configPath: string }; deployments: AppDeploymentRow[] } | undefined> {
  const [app] = await tx.select({ id: apps.id, name: apps.name, repositoryId: apps.repositoryId, configPath: apps.configPath }).from(apps).where(eq(apps.id, appId));
  if (!app) return undefined;
  const rows = await tx
    .select({
      id: deployments.id,
      environment: environments.name,
      status: deployments.status,
      commitSha: deployments.commitSha,
      trigger: deployments.trigger,
      monthlyCostUsd: deployments.monthlyCostUsd,
      createdAt: deployments.createdAt,
      finishedAt: deployments.finishedAt,
    })
    .from(deployments)
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .where(eq(deployments.appId, appId))
    .orderBy(desc(deployments.id))
    .limit(limit);
  return { app, deployments: rows };
}
