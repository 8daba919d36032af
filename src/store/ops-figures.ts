/**
 * What `/metrics` reads from the store at each scrape: the queue per kind (depth, oldest queued
 * job), deployments per status, each environment's latest deployment, and each environment's
 * latest drift check. Each is one statement.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { DeploymentStatus, DriftStatus } from './schema.ts';

export type QueueFigures = { kind: string; queued: number; oldestQueuedAt: Date | null };

/** Jobs waiting per kind and when the oldest became due (a job scheduled for later is not waiting yet). */
export async function queueFigures(tx: Db, now: Date): Promise<QueueFigures[]> {
  const rows = await tx.execute(sql`
    select kind, count(*) as queued, min(run_at) as oldest
    from jobs where status = 'queued' and run_at <= ${now.toISOString()}::timestamptz
    group by kind`);
  return rowsOf<{ kind: string; queued: string | number; oldest: string | Date | null }>(rows).map((r) => ({ kind: r.kind, queued: Number(r.queued), oldestQueuedAt: r.oldest === null ? null : new Date(r.oldest) }));
}

export async function deploymentStatusCounts(tx: Db): Promise<Array<{ status: DeploymentStatus; count: number }>> {
  const rows = await tx.execute(sql`select status, count(*) as count from deployments group by status`);
  return rowsOf<{ status: DeploymentStatus; count: string | number }>(rows).map((r) => ({ status: r.status, count: Number(r.count) }));
}

export type EnvironmentFigures = { repository: string; app: string; environment: string; status: DeploymentStatus; finishedAt: Date | null };

/** The latest deployment of every environment that has one (preview environments that were removed left out). */
export async function latestDeploymentPerEnvironment(tx: Db): Promise<EnvironmentFigures[]> {
  const rows = await tx.execute(sql`
    select r.full_name as repository, a.name as app, e.name as environment, d.status, d.finished_at
    from environments e
    join apps a on a.id = e.app_id
    join repositories r on r.id = a.repository_id
    join lateral (
      -- app_id too, so that deployments_app_env_idx (app_id, environment_id, id) answers it backwards
      select status, finished_at from deployments where app_id = e.app_id and environment_id = e.id order by id desc limit 1
    ) d on true
    where e.removed_at is null`);
  return rowsOf<{ repository: string; app: string; environment: string; status: DeploymentStatus; finished_at: string | Date | null }>(rows).map((r) => ({ repository: r.repository, app: r.app, environment: r.environment, status: r.status, finishedAt: r.finished_at === null ? null : new Date(r.finished_at) }));
}

export type DriftFigures = { repository: string; app: string; environment: string; status: DriftStatus };

/** The latest drift check of every environment that has one (drift_checks keeps one row per environment; removed environments left out). */
export async function driftPerEnvironment(tx: Db): Promise<DriftFigures[]> {
  const rows = await tx.execute(sql`
    select r.full_name as repository, a.name as app, e.name as environment, c.status
    from drift_checks c
    join environments e on e.id = c.environment_id
    join apps a on a.id = e.app_id
    join repositories r on r.id = a.repository_id
    where e.removed_at is null`);
  return rowsOf<DriftFigures>(rows).map((r) => ({ repository: r.repository, app: r.app, environment: r.environment, status: r.status }));
}

/** node-postgres answers `{ rows }`, PGlite's Drizzle driver too; both shapes are taken. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
