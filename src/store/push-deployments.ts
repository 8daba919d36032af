/**
 * The queries the deploy job and the events around it need: superseding the older unapplied
 * deployments of an app's environment when a newer commit is recorded, the deployments of a commit
 * that wait for its checks or for a person's Apply, the one a success replaces, and the GitHub
 * Deployment that reports each.
 */
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { findDeployment, type DeploymentListing } from './deployment-runs.ts';
import { deploymentRowColumns, type DeploymentRow } from './deployments.ts';
import { apps, deploymentEvents, deployments, type DeploymentStatus } from './schema.ts';

/** What a newer commit stops: anything not yet applying (an apply in progress is never stopped). */
export const supersedableStatuses: readonly DeploymentStatus[] = ['queued', 'planning', 'planned', 'waiting'];

/**
 * Older deployments of the environment that have not started applying become `superseded`, in one
 * conditional UPDATE (a run that moved to `applying` first keeps going: the row lock orders the
 * two). Returns the ids moved; a running deploy job notices its row changed and stops Terraform.
 */
export async function supersedeOlderDeployments(
  tx: Db,
  input: { appId: number; environmentId: number; newerId: number; actor: string; reason: string },
): Promise<number[]> {
  const now = new Date();
  const moved = await tx
    .update(deployments)
    .set({ status: 'superseded', updatedAt: now, finishedAt: now })
    .where(
      and(
        eq(deployments.appId, input.appId),
        eq(deployments.environmentId, input.environmentId),
        lt(deployments.id, input.newerId),
        inArray(deployments.status, [...supersedableStatuses]),
      ),
    )
    .returning({ id: deployments.id });
  if (moved.length > 0) {
    await tx.insert(deploymentEvents).values(moved.map((m) => ({ deploymentId: m.id, status: 'superseded' as const, actor: input.actor, reason: input.reason })));
  }
  return moved.map((m) => m.id);
}

/** A push's or a preview's deployments of a commit in a repository in `status` (oldest first). */
export async function deploymentsOfCommit(
  tx: Db,
  input: { repositoryId: number; commitSha: string; status: DeploymentStatus },
): Promise<DeploymentListing[]> {
  const rows = await tx
    .select({ id: deployments.id })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .where(and(eq(deployments.commitSha, input.commitSha), eq(deployments.status, input.status), eq(apps.repositoryId, input.repositoryId), inArray(deployments.trigger, ['push', 'preview'])))
    .orderBy(deployments.id);
  const found = await Promise.all(rows.map((r) => findDeployment(tx, r.id)));
  return found.filter((d): d is DeploymentListing => d !== undefined);
}

/** The environment's latest succeeded deployment before `beforeId`: what a success replaces. */
export async function previousSucceededDeployment(tx: Db, input: { environmentId: number; beforeId: number }): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select(deploymentRowColumns)
    .from(deployments)
    .where(and(eq(deployments.environmentId, input.environmentId), eq(deployments.status, 'succeeded'), lt(deployments.id, input.beforeId)))
    .orderBy(desc(deployments.id))
    .limit(1);
  return row;
}

/** Remember the GitHub Deployment reporting a deployment. */
export async function setGitHubDeploymentId(tx: Db, deploymentId: number, githubDeploymentId: number): Promise<void> {
  await tx.update(deployments).set({ githubDeploymentId, updatedAt: sql`now()` }).where(eq(deployments.id, deploymentId));
}

/** The current status of a deployment (one small read: a running deploy job polls it). */
export async function deploymentStatus(tx: Db, deploymentId: number): Promise<DeploymentStatus | undefined> {
  const [row] = await tx.select({ status: deployments.status }).from(deployments).where(eq(deployments.id, deploymentId));
  return row?.status;
}
