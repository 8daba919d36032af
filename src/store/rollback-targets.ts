/**
 * The queries a rollback needs: what is live in an environment, the last good deployment before
 * it, a deployment by id or by commit, and an app's environment by names.
 */
import { and, desc, eq, inArray, isNotNull, like, lt, ne, notInArray, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import { deploymentRowColumns, type DeploymentRow } from './deployments.ts';
import { apps, commitHolds, deployments, environments, repositories } from './schema.ts';
import { tenantColumns, type TenantNames } from './tenant-columns.ts';

/** The latest succeeded deployment of an environment: what is live. */
export async function liveDeployment(tx: Db, environmentId: number): Promise<DeploymentRow | undefined> {
  const [row] = await succeeded(tx, eq(deployments.environmentId, environmentId)).limit(1);
  return row;
}

/**
 * The latest succeeded deployment before `beforeId` of another commit than `otherThan`, whose
 * commit is not held (a commit rolled back from is not a good one to return to).
 */
export async function lastGoodDeployment(tx: Db, input: { environmentId: number; beforeId: number; otherThan: string }): Promise<DeploymentRow | undefined> {
  const held = tx.select({ sha: commitHolds.commitSha }).from(commitHolds).where(eq(commitHolds.environmentId, input.environmentId));
  const [row] = await succeeded(
    tx,
    and(eq(deployments.environmentId, input.environmentId), lt(deployments.id, input.beforeId), ne(deployments.commitSha, input.otherThan), notInArray(deployments.commitSha, held)),
  ).limit(1);
  return row;
}

/** Deployments of an environment whose commit starts with `prefix`, newest first, any status. */
export async function deploymentsOfCommit(tx: Db, input: { environmentId: number; prefix: string }): Promise<DeploymentRow[]> {
  return tx
    .select(deploymentRowColumns)
    .from(deployments)
    .where(and(eq(deployments.environmentId, input.environmentId), like(deployments.commitSha, `${input.prefix.replace(/[\\%_]/g, '\\$&')}%`)))
    .orderBy(desc(deployments.id))
    .limit(50);
}

/** Whether a deployment still has its Terraform JSON (it may have been pruned). */
export async function hasTerraformJson(tx: Db, deploymentId: number): Promise<boolean> {
  const [row] = await tx.select({ id: deployments.id }).from(deployments).where(and(eq(deployments.id, deploymentId), isNotNull(deployments.terraformJson)));
  return row !== undefined;
}

export type AppEnvironment = { appId: number; environmentId: number } & TenantNames;

const appEnvironmentColumns = { appId: apps.id, environmentId: environments.id, ...tenantColumns };

/** Environments with their app and repository, filtered by the caller. */
function environmentsWithTenant(tx: Db) {
  return tx
    .select(appEnvironmentColumns)
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId));
}

/** The environments named `environment` of apps named `app` (one per repository holding such an app). */
export async function findAppEnvironments(tx: Db, input: { app: string; environment: string; repository?: string }): Promise<AppEnvironment[]> {
  return environmentsWithTenant(tx).where(and(eq(apps.name, input.app), eq(environments.name, input.environment), input.repository === undefined ? undefined : eq(repositories.fullName, input.repository)));
}

/** A repository's apps with an environment of that name (what `/slipway rollback <env>` rolls back). */
export async function appEnvironmentsOfRepository(tx: Db, input: { repositoryId: number; environment: string }): Promise<AppEnvironment[]> {
  return environmentsWithTenant(tx)
    .where(and(eq(repositories.id, input.repositoryId), eq(environments.name, input.environment)))
    .orderBy(apps.name);
}

/** Where a deployment deploys to, with its tenant. */
export async function appEnvironmentOf(tx: Db, deploymentId: number): Promise<AppEnvironment | undefined> {
  const [row] = await tx
    .select(appEnvironmentColumns)
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .innerJoin(repositories, eq(repositories.id, apps.repositoryId))
    .where(eq(deployments.id, deploymentId));
  return row;
}

function succeeded(tx: Db, where: SQL | undefined) {
  return tx
    .select(deploymentRowColumns)
    .from(deployments)
    .where(and(where, inArray(deployments.status, ['succeeded'])))
    .orderBy(desc(deployments.id));
}
