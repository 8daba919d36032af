/**
 * **Apply** pressed on a check run (`check_run.requested_action`, identifier `apply`): the presser
 * must have write or admin access to the repository, asked of GitHub (never inferred from the
 * payload). A refusal is recorded in the audit log and as the delivery's outcome. Allowed: each
 * `deploy: manual` deployment of the commit not yet applied — the one the `slipway deploy` check
 * run is about, or all of them from the `slipway` check run — gets an `apply` deploy job, recorded
 * with who pressed it.
 */
import { applyActionId } from '../deploy/deploy-check-output.ts';
import { deployJob } from '../deploy/deploy-job.ts';
import { getPermission } from '../github/index.ts';
import { enqueueMany } from '../jobs/index.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import { deploymentsOfCommit } from '../store/push-deployments.ts';
import type { EventPayload } from './parse-event.ts';
import { repositoryContext } from './repository-context.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

export const applyAuditAction = 'deploy.apply';
export const applyRefusedAuditAction = 'deploy.apply.refused';

export async function applyRequested(ctx: WebhookContext, event: EventPayload<'check_run'>): Promise<Outcome> {
  const identifier = 'requested_action' in event ? event.requested_action?.identifier : undefined;
  if (identifier !== applyActionId) return `ignored: no action "${identifier ?? ''}"`;
  const repo = await repositoryContext(ctx, event);
  const db = ctx.deps.store.db;
  const sha = event.check_run.head_sha;
  const user = event.sender!.login;
  const subject = `${repo.fullName}@${sha}`;
  const permission = await getPermission(repo.octokit, repo.owner, repo.repo, user);
  if (permission !== 'write' && permission !== 'admin') {
    await writeAudit(db, { actor: user, action: applyRefusedAuditAction, subject, details: { permission, checkRun: event.check_run.name } });
    return `refused: ${user} has ${permission} access to ${repo.fullName}; applying needs write`;
  }
  const candidates: DeploymentListing[] = [];
  for (const status of ['queued', 'planning', 'planned'] as const) candidates.push(...(await deploymentsOfCommit(db, { repositoryId: repo.repositoryId, commitSha: sha, status })));
  const named = Number(event.check_run.external_id);
  const chosen = candidates.filter((d) => d.settings?.mode === 'manual' && (!Number.isInteger(named) || named <= 0 || d.id === named));
  if (chosen.length === 0) return `nothing to apply at ${sha.slice(0, 12)} (pressed by ${user})`;
  await db.transaction(async (t) => {
    await writeAudit(t, { actor: user, action: applyAuditAction, subject, details: { deployments: chosen.map((d) => d.id), permission } });
    await enqueueMany(t, chosen.map((d) => deployJob({ deploymentId: d.id, appId: d.appId, environment: d.environment, action: 'apply', actor: user, idempotencyKey: `deploy:${d.id}:apply:${ctx.delivery.id}` })));
  });
  return `apply of deployment ${chosen.map((d) => d.id).join(', ')} requested by ${user}`;
}
