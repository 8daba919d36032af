/** `slipway status`: per app and environment, what should run, what runs, and its drift. */
import { sql } from 'drizzle-orm';
import type { Db } from './db.ts';

export type EnvironmentStatus = {
  repository: string;
  app: string;
  environment: string;
  /** The default branch's head as the tick last read it (what should be deployed). */
  desiredSha: string | null;
  /** The commit of the last deployment that succeeded (what is deployed). */
  appliedSha: string | null;
  appliedAt: Date | null;
  /** The newest deployment's status (e.g. `planned`, `failed`). */
  latestStatus: string | null;
  drift: string | null;
  driftCheckedAt: Date | null;
  driftIssue: number | null;
};

const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

export async function environmentStatuses(tx: Db): Promise<EnvironmentStatus[]> {
  const result = await tx.execute(sql`
    select r.full_name, a.name as app, e.name as environment, h.sha as desired_sha,
      applied.commit_sha as applied_sha, applied.finished_at as applied_at, latest.status as latest_status,
      d.status as drift, d.checked_at as drift_checked_at, d.issue_number
    from environments e
    join apps a on a.id = e.app_id
    join repositories r on r.id = a.repository_id
    left join repository_heads h on h.repository_id = r.id
    left join lateral (
      select commit_sha, finished_at from deployments
      where environment_id = e.id and status = 'succeeded' order by id desc limit 1) applied on true
    left join lateral (select status from deployments where environment_id = e.id order by id desc limit 1) latest on true
    left join drift_checks d on d.environment_id = e.id
    where e.removed_at is null and e.kind <> 'preview' and r.removed_at is null
    order by r.full_name, a.name, e.name`);
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []).map((r) => ({
    repository: String(r.full_name),
    app: String(r.app),
    environment: String(r.environment),
    desiredSha: (r.desired_sha as string | null) ?? null,
    appliedSha: (r.applied_sha as string | null) ?? null,
    appliedAt: date(r.applied_at),
    latestStatus: (r.latest_status as string | null) ?? null,
    drift: (r.drift as string | null) ?? null,
    driftCheckedAt: date(r.drift_checked_at),
    driftIssue: r.issue_number === null || r.issue_number === undefined ? null : Number(r.issue_number),
  }));
}
