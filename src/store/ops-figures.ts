/**
 * What `/metrics` reads from the store at each scrape: the queue per kind (depth, oldest queued
 * job), deployments per status, each environment's latest deployment, and each environment's
 * latest drift check. One statement answering one JSON document: on the embedded store each
 * statement is planned and answered in turn, and PGlite decodes a result at about a microsecond a
 * field, so four statements of up to a few thousand fields cost twice what this one does.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { DeploymentStatus, DriftStatus } from './schema.ts';

export type QueueFigures = { kind: string; queued: number; oldestQueuedAt: Date | null };
export type EnvironmentFigures = { repository: string; app: string; environment: string; status: DeploymentStatus };
export type DriftFigures = { repository: string; app: string; environment: string; status: DriftStatus };
export type OpsFigures = {
  /** Jobs waiting per kind and when the oldest became due (a job scheduled for later is not waiting yet). */
  queue: QueueFigures[];
  counts: Array<{ status: DeploymentStatus; count: number }>;
  /** The latest deployment of every environment that has one (removed preview environments left out). */
  latest: EnvironmentFigures[];
  /** The latest drift check of every environment that has one (drift_checks keeps one row per environment; removed environments left out). */
  drift: DriftFigures[];
};

export async function readOpsFigures(tx: Db, now: Date): Promise<OpsFigures> {
  const result = await tx.execute(sql`
    select json_build_object(
      'queue', (select coalesce(json_agg(q), '[]') from (
        select kind, count(*) as queued, min(run_at) as "oldestQueuedAt"
        from jobs where status = 'queued' and run_at <= ${now.toISOString()}::timestamptz
        group by kind) q),
      'counts', (select coalesce(json_agg(c), '[]') from (
        select status, count(*) as count from deployments group by status) c),
      'latest', (select coalesce(json_agg(l), '[]') from (
        select r.full_name as repository, a.name as app, e.name as environment, d.status
        from environments e
        join apps a on a.id = e.app_id
        join repositories r on r.id = a.repository_id
        join lateral (
          -- app_id too, so that deployments_app_env_idx (app_id, environment_id, id) answers it backwards
          select status from deployments where app_id = e.app_id and environment_id = e.id order by id desc limit 1
        ) d on true
        where e.removed_at is null) l),
      'drift', (select coalesce(json_agg(x), '[]') from (
        select r.full_name as repository, a.name as app, e.name as environment, c.status
        from drift_checks c
        join environments e on e.id = c.environment_id
        join apps a on a.id = e.app_id
        join repositories r on r.id = a.repository_id
        where e.removed_at is null) x)
    )::text as figures`);
  const [row] = (result as unknown as { rows: Array<{ figures: string }> }).rows;
  const figures = JSON.parse(row!.figures) as Omit<OpsFigures, 'queue'> & { queue: Array<{ kind: string; queued: number; oldestQueuedAt: string | null }> };
  return { ...figures, queue: figures.queue.map((q) => ({ ...q, oldestQueuedAt: q.oldestQueuedAt === null ? null : new Date(q.oldestQueuedAt) })) };
}
