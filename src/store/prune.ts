/**
 * Retention: what the reconcile tick deletes, oldest first, in bounded batches (a first prune of a
 * long-running store must not hold one huge transaction). Deliveries whose job has not run yet,
 * jobs still queued or running, and logs of the latest deployment of each environment are kept.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';

export type Retention = { deliveriesMs: number; jobsMs: number; logsMs: number };
export type Pruned = { deliveries: number; jobs: number; logs: number; ticks: number };

const batch = 5_000;

export async function prune(tx: Db, retention: Retention, now: Date): Promise<Pruned> {
  const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const count = async (query: ReturnType<typeof sql>) => ((await tx.execute(query)) as { rows?: unknown[] }).rows?.length ?? 0;
  const deliveries = await count(sql`
    delete from webhook_deliveries where delivery_id in (
      select delivery_id from webhook_deliveries
      where received_at < ${before(retention.deliveriesMs)}::timestamptz and processed_at is not null
      limit ${batch})
    returning 1`);
  const jobs = await count(sql`
    delete from jobs where id in (
      select id from jobs
      where status in ('completed', 'dead', 'cancelled') and finished_at < ${before(retention.jobsMs)}::timestamptz
      limit ${batch})
    returning 1`);
  const logs = await count(sql`
    delete from deployment_logs where id in (
      select l.id from deployment_logs l
      where l.created_at < ${before(retention.logsMs)}::timestamptz
        and l.deployment_id not in (select max(id) from deployments group by environment_id)
      limit ${batch})
    returning 1`);
  // Ticks are kept as long as jobs are: `slipway status` reads the last one.
  const ticks = await count(sql`
    delete from reconcile_ticks where id in (
      select id from reconcile_ticks where started_at < ${before(retention.jobsMs)}::timestamptz
        and id < (select max(id) from reconcile_ticks)
      limit ${batch})
    returning 1`);
  return { deliveries, jobs, logs, ticks };
}
