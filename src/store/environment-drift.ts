/**
 * The dashboard's drift column: per environment, the last drift check the reconcile tick recorded
 * (src/reconcile/check-drift.ts): in sync, drifted (how many resources and attributes) or could
 * not run, when, and the GitHub issue kept while drift lasts. One statement for a page of
 * environments (drift_checks is keyed by environment); and, for an app's page, what differs. The
 * report's values were masked by the drift check already (plan/drift-report.ts).
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { driftChecks, environments, type DriftStatus } from './schema.ts';

export type EnvironmentDrift = {
  environmentId: number;
  status: DriftStatus;
  checkedAt: Date;
  driftedSince: Date | null;
  /** Resources and attributes that differ (0 when in sync or when the check could not run). */
  resources: number;
  attributes: number;
  /** Why the check could not run (status `error`). */
  error: string | null;
  issueNumber: number | null;
  /** Minutes between checks as the applied paas.yaml asks; null: drift checks are off for it. */
  everyMinutes: number | null;
  /** Whether Terraform ever ran for it (a row with drift checks off may carry no report). */
  measured: boolean;
};

export async function environmentDrift(tx: Db, environmentIds: readonly number[]): Promise<Map<number, EnvironmentDrift>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await tx
    .select({
      environmentId: driftChecks.environmentId,
      status: driftChecks.status,
      checkedAt: driftChecks.checkedAt,
      driftedSince: driftChecks.driftedSince,
      resources: sql<string | number | null>`${driftChecks.report} -> 'counts' ->> 'resources'`,
      attributes: sql<string | number | null>`${driftChecks.report} -> 'counts' ->> 'attributes'`,
      error: sql<string | null>`${driftChecks.report} ->> 'error'`,
      issueNumber: driftChecks.issueNumber,
      everyMinutes: driftChecks.everyMinutes,
      measured: sql<boolean>`${driftChecks.report} is not null`,
    })
    .from(driftChecks)
    .where(inArray(driftChecks.environmentId, [...environmentIds]));
  return new Map(
    rows.map((r) => [
      Number(r.environmentId),
      {
        environmentId: Number(r.environmentId),
        status: r.status,
        checkedAt: new Date(r.checkedAt),
        driftedSince: r.driftedSince === null ? null : new Date(r.driftedSince),
        resources: Number(r.resources ?? 0),
        attributes: Number(r.attributes ?? 0),
        error: r.error ?? null,
        issueNumber: r.issueNumber,
        everyMinutes: r.everyMinutes,
        measured: r.measured === true || (r.measured as unknown) === 't',
      },
    ]),
  );
}

export type DriftedAttributeRow = { path: string; outside: unknown; desired: unknown };
export type AppEnvironmentDrift = {
  environment: string;
  checkedAt: Date;
  issueNumber: number | null;
  resources: Array<{ address: string; action: string; attributes: DriftedAttributeRow[] }>;
};

/**
 * An app's environments that drifted at their last check, with what differs (the values as the
 * drift check stored them: sensitive and secret-like attributes and known secrets masked).
 */
export async function appDrift(tx: Db, appId: number): Promise<AppEnvironmentDrift[]> {
  const rows = await tx
    .select({ environment: environments.name, checkedAt: driftChecks.checkedAt, issueNumber: driftChecks.issueNumber, report: driftChecks.report })
    .from(driftChecks)
    .innerJoin(environments, eq(environments.id, driftChecks.environmentId))
    .where(and(eq(driftChecks.appId, appId), eq(driftChecks.status, 'drifted'), isNull(environments.removedAt)))
    .orderBy(asc(environments.name));
  return rows.map((r) => {
    const resources = Array.isArray(r.report?.resources) ? (r.report.resources as Array<Record<string, unknown>>) : [];
    return {
      environment: r.environment,
      checkedAt: new Date(r.checkedAt),
      issueNumber: r.issueNumber,
      resources: resources.map((resource) => ({
        address: String(resource.address ?? ''),
        action: String(resource.action ?? ''),
        attributes: (Array.isArray(resource.attributes) ? (resource.attributes as Array<Record<string, unknown>>) : []).map((a) => ({ path: String(a.path ?? ''), outside: a.outside, desired: a.desired })),
      })),
    };
  });
}
