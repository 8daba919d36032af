import { and, desc, eq, getTableColumns, inArray, ne } from 'drizzle-orm';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Db } from './db.ts';
import { canMoveDeployment, isFinished } from './deployment-lifecycle.ts';
import {
  deploymentEvents,
  deploymentStatuses,
  deployments,
  environments,
  type Deployment,
  type DeploymentEvent,
  type DeploymentPlanSummary,
  type DeploymentFailure,
  type DeploymentOutputs,
  type DeploymentSettings,
  type DeploymentStatus,
} from './schema.ts';
import { StoreError } from './store-error.ts';

export type CreateDeploymentInput = {
  appId: number;
  environmentId: number;
  commitSha: string;
  trigger?: string;
  terraformJson?: TerraformJson | null;
  configHash?: string | null;
  planSummary?: DeploymentPlanSummary | null;
  monthlyCostUsd?: number | null;
  settings?: DeploymentSettings | null;
  actor?: string;
  reason?: string | null;
};

/** The columns a new deployment row takes from its input (the rest are defaults). */
function newDeploymentValues(input: CreateDeploymentInput) {
  return {
    appId: input.appId,
    environmentId: input.environmentId,
    commitSha: input.commitSha,
    trigger: input.trigger ?? 'push',
    terraformJson: input.terraformJson ?? null,
    configHash: input.configHash ?? null,
    planSummary: input.planSummary ?? null,
    monthlyCostUsd: input.monthlyCostUsd ?? null,
    settings: input.settings ?? null,
  };
}

/** A new deployment in status `queued`, with its first event. */
export async function createDeployment(tx: Db, input: CreateDeploymentInput): Promise<Deployment> {
  const [row] = await tx
    .insert(deployments)
    .values(newDeploymentValues(input))
    .returning();
  await appendDeploymentEvent(tx, {
    deploymentId: row!.id,
    status: 'queued',
    actor: input.actor ?? 'slipway',
    reason: input.reason ?? null,
  });
  return row!;
}

/** Append to a deployment's status history (never updated or deleted). */
export async function appendDeploymentEvent(
  tx: Db,
  input: { deploymentId: number; status: DeploymentStatus; actor: string; reason?: string | null },
): Promise<DeploymentEvent> {
  const [row] = await tx
    .insert(deploymentEvents)
    .values({ deploymentId: input.deploymentId, status: input.status, actor: input.actor, reason: input.reason ?? null })
    .returning();
  return row!;
}

export type DeploymentUpdate = {
  terraformJson?: TerraformJson | null;
  configHash?: string | null;
  planSummary?: DeploymentPlanSummary | null;
  monthlyCostUsd?: number | null;
  terraformPlan?: unknown;
  outputs?: DeploymentOutputs | null;
  failure?: DeploymentFailure | null;
  settings?: DeploymentSettings | null;
  githubDeploymentId?: number | null;
};

/** A deployment row without its Terraform JSON (tens to hundreds of KB, read only where a plan needs it). */
export type DeploymentRow = Omit<Deployment, 'terraformJson'>;
const { terraformJson: _terraformJson, ...rowColumns } = getTableColumns(deployments);
/** Columns of a DeploymentRow, for selects. */
export const deploymentRowColumns = rowColumns;

/**
 * Move a deployment to `status` (checked against the lifecycle), optionally storing what the step
 * produced (plan summary, cost, Terraform JSON), and append the event. Throws a StoreError with
 * code `invalid_transition` (e.g. applied → planning) or `not_found`.
 *
 * One conditional UPDATE (the row lock it takes orders concurrent moves, as SELECT … FOR UPDATE
 * would) that returns the row without its Terraform JSON: each step of a push used to read back
 * the whole document it had just written.
 */
export async function setDeploymentStatus(
  tx: Db,
  input: { deploymentId: number; status: DeploymentStatus; actor: string; reason?: string | null } & DeploymentUpdate,
): Promise<DeploymentRow> {
  const { deploymentId, status, actor, reason, ...fields } = input;
  const from = deploymentStatuses.filter((s) => canMoveDeployment(s, status));
  const now = new Date();
  const [row] =
    from.length === 0
      ? []
      : await tx
          .update(deployments)
          .set({
            ...fields,
            status,
            updatedAt: now,
            ...(status === 'planning' ? { startedAt: now } : {}),
            ...(isFinished(status) ? { finishedAt: now } : {}),
          })
          .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, from)))
          .returning(rowColumns);
  if (!row) {
    const [current] = await tx.select({ status: deployments.status }).from(deployments).where(eq(deployments.id, deploymentId));
    if (!current) throw new StoreError('not_found', `deployment ${deploymentId} does not exist`);
    throw new StoreError('invalid_transition', `deployment ${deploymentId} cannot move from ${current.status} to ${status}`);
  }
  await appendDeploymentEvent(tx, { deploymentId, status, actor, reason });
  return row;
}

/**
 * A new deployment recorded already planned (or failed, when a policy blocks it): one insert of
 * the row at its final status and one of the history a step-by-step record would write
 * (queued → planning → final). Each PGlite statement costs about a millisecond however small, and
 * this is on every push's path: 2 statements instead of 8.
 */
export async function createPlannedDeployment(
  tx: Db,
  input: Omit<CreateDeploymentInput, keyof DeploymentUpdate> &
    DeploymentUpdate & { final: { status: 'planned' | 'failed'; actor: string; reason?: string | null } },
): Promise<DeploymentRow> {
  const now = new Date();
  const [row] = await tx
    .insert(deployments)
    .values({
      ...newDeploymentValues(input),
      status: input.final.status,
      startedAt: now,
      updatedAt: now,
      ...(isFinished(input.final.status) ? { finishedAt: now } : {}),
    })
    .returning(rowColumns);
  await tx.insert(deploymentEvents).values([
    { deploymentId: row!.id, status: 'queued', actor: input.actor ?? 'slipway', reason: input.reason ?? null },
    { deploymentId: row!.id, status: 'planning', actor: 'slipway', reason: null },
    { deploymentId: row!.id, status: input.final.status, actor: input.final.actor, reason: input.final.reason ?? null },
  ]);
  return row!;
}

export async function deploymentHistory(tx: Db, deploymentId: number): Promise<DeploymentEvent[]> {
  return tx
    .select()
    .from(deploymentEvents)
    .where(eq(deploymentEvents.deploymentId, deploymentId))
    .orderBy(deploymentEvents.id);
}

/**
 * What counts as "last applied" by default. The push job does not call the Terraform runner yet,
 * so a `planned` deployment stands for what is live; pass `['succeeded']` once applies are real.
 */
export const lastAppliedStatuses: readonly DeploymentStatus[] = ['succeeded', 'planned'];

/** The latest deployment of an app's environment (by name) in one of `statuses`. */
export async function lastAppliedDeployment(
  tx: Db,
  appId: number,
  environment: string,
  statuses: readonly DeploymentStatus[] = lastAppliedStatuses,
): Promise<Deployment | undefined> {
  return latestDeployment(tx, { appId, environment, statuses });
}

/**
 * The latest deployment of an app's environment in one of `statuses` made from another commit
 * than `commitSha`: what a push plans against (a retried job finds its own commit's deployment
 * already recorded, and must plan against the one before).
 */
export async function lastDeploymentOfOtherCommit(
  tx: Db,
  input: { appId: number; environment: string; commitSha: string; statuses: readonly DeploymentStatus[] },
): Promise<Deployment | undefined> {
  return latestDeployment(tx, { ...input, otherThanCommit: input.commitSha });
}

async function latestDeployment(
  tx: Db,
  input: { appId: number; environment: string; statuses: readonly DeploymentStatus[]; otherThanCommit?: string },
): Promise<Deployment | undefined> {
  const [row] = await tx
    .select({ deployment: deployments })
    .from(deployments)
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .where(
      and(
        eq(deployments.appId, input.appId),
        eq(environments.name, input.environment),
        inArray(deployments.status, [...input.statuses]),
        input.otherThanCommit === undefined ? undefined : ne(deployments.commitSha, input.otherThanCommit),
      ),
    )
    .orderBy(desc(deployments.id))
    .limit(1);
  return row?.deployment;
}

/** The deployment a trigger (`push`) made of a commit in an environment, without its Terraform JSON. */
export async function findDeploymentOfCommit(
  tx: Db,
  input: { appId: number; environmentId: number; commitSha: string; trigger: string },
): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select(rowColumns)
    .from(deployments)
    .where(
      and(
        eq(deployments.appId, input.appId),
        eq(deployments.environmentId, input.environmentId),
        eq(deployments.commitSha, input.commitSha),
        eq(deployments.trigger, input.trigger),
      ),
    );
  return row;
}
