/**
 * Store a push's deployment of one app: once per app and commit (a retried job does not record it
 * twice), with its Terraform JSON, config hash, plan summary and monthly cost. Blocked by an
 * error-level policy result: `failed`; otherwise `planned` (no Terraform runner applies it yet),
 * and the previous planned deployment is superseded.
 */
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import { summarizePlan } from '../plan/summarize-plan.ts';
import type { Plan } from '../plan/types.ts';
import { isBlocking } from '../policy/summarize-results.ts';
import type { Db } from '../store/db.ts';
import { createPlannedDeployment, findDeploymentOfCommit, setDeploymentStatus, type DeploymentRow } from '../store/deployments.ts';
import { getOrCreateEnvironment } from '../store/environments.ts';
import type { Deployment, DeploymentPlanSummary } from '../store/schema.ts';
import { noRunnerNote } from './check-run-output.ts';

export async function recordPushDeployment(
  db: Db,
  input: { appId: number; evaluation: AppEvaluation; last: Deployment | undefined },
): Promise<DeploymentRow> {
  const { appId, evaluation, last } = input;
  const { sha, environment } = evaluation;
  const env = await getOrCreateEnvironment(db, { appId, name: environment, kind: 'production' });
  const existing = await findDeploymentOfCommit(db, { appId, environmentId: env.id, commitSha: sha, trigger: 'push' });
  if (existing && (existing.status === 'planned' || existing.status === 'failed')) return existing;

  const blocking = evaluation.policies.filter(isBlocking);
  const fields = {
    terraformJson: evaluation.terraform,
    configHash: evaluation.configHash,
    planSummary: {
      ...planSummary(evaluation.plan),
      policies: evaluation.policies.filter((r) => r.status !== 'pass').map((r) => ({ ruleId: r.ruleId, status: r.status, severity: r.severity })),
    },
    monthlyCostUsd: evaluation.cost?.monthly ?? null,
  };
  const final =
    blocking.length > 0
      ? { status: 'failed' as const, actor: 'policy', reason: `blocked by ${blocking.map((r) => r.ruleId).join(', ')}` }
      : { status: 'planned' as const, actor: 'slipway', reason: noRunnerNote };
  return db.transaction(async (t) => {
    let recorded: DeploymentRow;
    if (existing) {
      // Left mid-way by an earlier version or another flow: finish it step by step.
      if (existing.status === 'queued') await setDeploymentStatus(t, { deploymentId: existing.id, status: 'planning', actor: 'slipway' });
      recorded = await setDeploymentStatus(t, { deploymentId: existing.id, ...final, ...fields });
    } else {
      recorded = await createPlannedDeployment(t, { appId, environmentId: env.id, commitSha: sha, trigger: 'push', actor: 'slipway', reason: `push ${sha.slice(0, 12)}`, final, ...fields });
    }
    if (final.status === 'planned' && last && last.status === 'planned' && last.id !== recorded.id) {
      await setDeploymentStatus(t, { deploymentId: last.id, status: 'superseded', actor: 'slipway', reason: `superseded by ${sha.slice(0, 12)}` });
    }
    return recorded;
  });
}

/** What the store keeps of a plan: counts per action and the changed addresses. */
function planSummary(plan: Plan): Omit<DeploymentPlanSummary, 'policies'> {
  return {
    counts: summarizePlan(plan.resources),
    changed: plan.resources.filter((r) => r.action !== 'no-op').map((r) => `${r.action} ${r.address}`),
  };
}
