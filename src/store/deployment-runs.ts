/**
 * The queries the Terraform runner and the deployment commands need: a deployment with the names
 * of its app and environment, the ones a dead process left `applying`, and listings.
 */
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deploymentRowColumns, type DeploymentRow } from './deployments.ts';
import { apps, deployments, environments, repositories, type DeploymentStatus } from './schema.ts';
import { tenantColumns, type TenantNames } from './tenant-columns.ts';

/** A deployment row (without its Terraform JSON) and where it deploys to. */
export type DeploymentListing = DeploymentRow & TenantNames;

const listingColumns = { ...deploymentRowColumns, ...tenantColumns };

function listing(tx: Db, where: SQL | undefined) {
  return tx
    .select(listingColumns)
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(where);
}

export async function findDeployment(tx: Db, deploymentId: number): Promise<DeploymentListing | undefined> {
  const [row] = await listing(tx, eq(deployments.id, deploymentId));
  return row;
}

/** The Terraform JSON a deployment was planned from (tens to hundreds of KB: read only to run it). */
/** A deployment's status with its row locked until the transaction ends (undefined: gone). */
export async function lockDeploymentStatus(tx: Db, deploymentId: number): Promise<DeploymentStatus | undefined> {
  const [row] = await tx.select({ status: deployments.status }).from(deployments).where(eq(deployments.id, deploymentId)).for('update');
  return row?.status;
}

export async function deploymentTerraformJson(tx: Db, deploymentId: number): Promise<unknown> {
  const [row] = await tx.select({ terraformJson: deployments.terraformJson }).from(deployments).where(eq(deployments.id, deploymentId));
  return row?.terraformJson ?? null;
}

/** Newest first; filtered by app and environment name when given. */
export async function listDeployments(
  tx: Db,
  filter: { app?: string; environment?: string; statuses?: readonly DeploymentStatus[]; limit?: number } = {},
): Promise<DeploymentListing[]> {
  const conditions = [
    filter.app === undefined ? undefined : eq(apps.name, filter.app),
    filter.environment === undefined ? undefined : eq(environments.name, filter.environment),
    filter.statuses === undefined ? undefined : inArray(deployments.status, [...filter.statuses]),
  ].filter((c): c is SQL => c !== undefined);
  return listing(tx, conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(deployments.id))
    .limit(filter.limit ?? 50);
}

/** Deployments still marked `applying`: of one environment, or all of them (start-up recovery). */
export async function deploymentsLeftApplying(tx: Db, environmentId?: number): Promise<DeploymentListing[]> {
  const applying = eq(deployments.status, 'applying');
  return listing(tx, environmentId === undefined ? applying : and(applying, eq(deployments.environmentId, environmentId))).orderBy(deployments.id);
}
