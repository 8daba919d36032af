/**
 * Store rows → API views (src/api/schemas.ts): dates as ISO strings, the Terraform JSON and
 * anything a caller does not need left out. Pages reuse them.
 */
import type { AppListing, DeliveryListing, DeploymentDetailListing, DeploymentSummaryListing, EnvironmentListing, RecommendationListing } from '../store/api-listings.ts';
import type { EnvironmentDrift } from '../store/environment-drift.ts';
import type { ApiToken, AuditEntry as AuditRow, DeploymentLog } from '../store/schema.ts';
import type * as S from './schemas.ts';
import type { z } from '@hono/zod-openapi';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function appView(row: AppListing): S.App {
  return { id: row.id, repository: row.repository, name: row.name, configPath: row.configPath, createdAt: iso(row.createdAt) };
}

export function environmentView(row: EnvironmentListing, drift?: EnvironmentDrift): S.Environment {
  return { ...row, createdAt: iso(row.createdAt), removedAt: isoOrNull(row.removedAt), drift: drift ? driftView(drift) : null };
}

function driftView(d: EnvironmentDrift): z.infer<typeof S.EnvironmentDrift> {
  return {
    status: d.status,
    checkedAt: iso(d.checkedAt),
    driftedSince: isoOrNull(d.driftedSince),
    resources: d.resources,
    attributes: d.attributes,
    error: d.error,
    issueNumber: d.issueNumber,
    everyMinutes: d.everyMinutes,
  };
}

export function deploymentView(row: DeploymentSummaryListing): S.Deployment {
  return {
    id: row.id,
    repository: row.repository,
    app: row.app,
    environment: row.environment,
    status: row.status,
    commitSha: row.commitSha,
    trigger: row.trigger,
    monthlyCostUsd: row.monthlyCostUsd,
    plan: row.planSummary ? { counts: row.planSummary.counts, changed: row.planSummary.changed } : null,
    // A sensitive output is never stored with its value; leave out anything that says otherwise.
    outputs: row.outputs ? Object.fromEntries(Object.entries(row.outputs).map(([k, o]) => [k, o.sensitive ? { sensitive: true } : o])) : null,
    failure: row.failure ?? null,
    createdAt: iso(row.createdAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}

export function deploymentDetailView(row: DeploymentDetailListing): S.DeploymentDetail {
  return {
    ...deploymentView(row),
    history: row.history.map((e) => ({ status: e.status, actor: e.actor, reason: e.reason, at: iso(e.at) })),
    terraformPlan: row.terraformPlan ?? null,
  };
}

export function logChunkView(row: DeploymentLog): z.infer<typeof S.LogChunk> {
  return { step: row.step, text: row.text, at: iso(row.at) };
}

export function recommendationView(row: RecommendationListing): z.infer<typeof S.Recommendation> {
  return {
    id: row.id,
    repository: row.repository,
    app: row.app,
    service: row.service,
    environment: row.environment,
    kind: row.kind,
    status: row.status,
    monthlySaving: row.monthlySaving,
    pullRequest: row.pullRequest,
    commitSha: row.commitSha,
    body: row.body,
    createdAt: iso(row.createdAt),
    decidedAt: isoOrNull(row.decidedAt),
  };
}

export function deliveryView(row: DeliveryListing): z.infer<typeof S.Delivery> {
  return { ...row, receivedAt: iso(row.receivedAt), processedAt: isoOrNull(row.processedAt) };
}

export function auditView(row: AuditRow): z.infer<typeof S.AuditEntry> {
  return { id: row.id, at: iso(row.at), actor: row.actor, source: row.source, action: row.action, subject: row.subject, result: row.result, details: row.details };
}

/** A token as listed: never its hash. */
export function tokenView(row: ApiToken): z.infer<typeof S.Token> {
  return { id: row.id, name: row.name, prefix: row.prefix, role: row.role, repositories: row.repositories, createdBy: row.createdBy, createdAt: iso(row.createdAt), expiresAt: isoOrNull(row.expiresAt), revokedAt: isoOrNull(row.revokedAt) };
}
