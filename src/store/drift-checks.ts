/** Drift checks: which environments can be checked (something was applied), their last check, and recording one. */
import { eq, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { driftChecks, type DriftCheck } from './schema.ts';

export type DriftCandidate = {
  environmentId: number;
  environment: string;
  appId: number;
  app: string;
  repositoryId: number;
  repository: string;
  installationId: number;
  /** The last deployment that succeeded: the desired state drift is measured against. */
  deploymentId: number;
  commitSha: string;
  /** The default branch's head as last polled (the drift check run goes on it). */
  headSha: string | null;
  check: DriftCheck | null;
};

/** Environments (not previews) with a succeeded deployment, in installed repositories; the longest unchecked first. */
export async function driftCandidates(tx: Db): Promise<DriftCandidate[]> {
  const result = await tx.execute(sql`
    select e.id as environment_id, e.name as environment, a.id as app_id, a.name as app, r.id as repository_id,
      r.full_name as repository, r.installation_id, d.id as deployment_id, d.commit_sha, h.sha as head_sha, c.environment_id as checked
    from environments e
    join apps a on a.id = e.app_id
    join repositories r on r.id = a.repository_id
    join installations i on i.id = r.installation_id
    join lateral (
      select id, commit_sha from deployments where environment_id = e.id and status = 'succeeded' order by id desc limit 1
    ) d on true
    left join repository_heads h on h.repository_id = r.id
    left join drift_checks c on c.environment_id = e.id
    where e.removed_at is null and e.kind <> 'preview' and r.removed_at is null and i.removed_at is null and i.suspended_at is null
    order by c.checked_at asc nulls first, e.id`);
  const rows = ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
  const checks = new Map<number, DriftCheck>();
  const checkedIds = rows.filter((r) => r.checked !== null && r.checked !== undefined).map((r) => Number(r.environment_id));
  if (checkedIds.length > 0) {
    for (const c of await tx.select().from(driftChecks).where(sql`${driftChecks.environmentId} in (${sql.join(checkedIds.map((id) => sql`${id}`), sql`, `)})`)) checks.set(c.environmentId, c);
  }
  return rows.map((r) => ({
    environmentId: Number(r.environment_id),
    environment: String(r.environment),
    appId: Number(r.app_id),
    app: String(r.app),
    repositoryId: Number(r.repository_id),
    repository: String(r.repository),
    installationId: Number(r.installation_id),
    deploymentId: Number(r.deployment_id),
    commitSha: String(r.commit_sha),
    headSha: (r.head_sha as string | null) ?? null,
    check: checks.get(Number(r.environment_id)) ?? null,
  }));
}

export type DriftCheckInput = Omit<typeof driftChecks.$inferInsert, 'checkedAt'> & { checkedAt: Date };

export async function saveDriftCheck(tx: Db, input: DriftCheckInput): Promise<DriftCheck> {
  const { environmentId: _id, ...set } = input;
  const [row] = await tx.insert(driftChecks).values(input).onConflictDoUpdate({ target: driftChecks.environmentId, set }).returning();
  return row!;
}

export async function findDriftCheck(tx: Db, environmentId: number): Promise<DriftCheck | undefined> {
  const [row] = await tx.select().from(driftChecks).where(eq(driftChecks.environmentId, environmentId));
  return row;
}
