/**
 * Store a push's deployment of one app: once per app and commit (a retried job does not record it
 * twice), with its Terraform JSON, config hash, plan summary, monthly cost and how it deploys
 * (`deploy:` of its environment, and its GitHub environment). Blocked by an error-level policy
 * result: `failed`. Otherwise:
 *  - with a Terraform runner: `queued`, the environment's older deployments that have not started
 *    applying become `superseded`, and a deploy job is enqueued in the same transaction (it plans,
 *    and applies when it may; see src/deploy/);
 *  - without one: `planned` (recorded, never applied), and the previous planned one is superseded.
 */
import { rollbackSettings } from '../rollback/rollback-settings.ts';
import { deployJob } from '../deploy/deploy-job.ts';
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import { enqueueMany } from '../jobs/index.ts';
import { summarizePlan } from '../plan/summarize-plan.ts';
import type { Plan } from '../plan/types.ts';
import { isBlocking } from '../policy/summarize-results.ts';
import type { Db } from '../store/db.ts';
import { createDeployment, createPlannedDeployment, findDeploymentOfCommit, setDeploymentStatus, type DeploymentRow } from '../store/deployments.ts';
import { getOrCreateEnvironment } from '../store/environments.ts';
import { supersedeOlderDeployments } from '../store/push-deployments.ts';
import type { Deployment, DeploymentPlanSummary, DeploymentSettings } from '../store/schema.ts';
import { noRunnerNote } from './check-run-output.ts';
import { previewTrigger } from '../previews/last-preview-deployment.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';

export async function recordPushDeployment(
  db: Db,
  input: {
    appId: number;
    evaluation: AppEvaluation;
    last: Deployment | undefined;
    githubEnvironment: string;
    runner: boolean;
    /**
     * A pull request's preview (src/previews/): environment kind `preview`, trigger `preview`, its
     * own deploy mode (`previews.deploy`, auto by default), the checks it waits for (`deploy.after`
     * as the preview resolves it: the image of the PR's head is built by CI too) and no verdict;
     * `fresh`: recorded anew even if this commit was deployed before (a preview brought back).
     */
    preview?: { pullRequest: number; mode: 'auto' | 'manual'; after: string[]; fresh?: boolean };
  },
): Promise<DeploymentRow> {
  const { appId, evaluation, last, preview } = input;
  const { sha, environment } = evaluation;
  const env = await getOrCreateEnvironment(db, { appId, name: environment, kind: preview ? 'preview' : 'production', ...(preview ? { pullRequest: preview.pullRequest } : {}) });
  const trigger = preview ? previewTrigger : 'push';
  const found = await findDeploymentOfCommit(db, { appId, environmentId: env.id, commitSha: sha, trigger });
  const existing = preview?.fresh && found && isFinished(found.status) ? undefined : found;
  const settings: DeploymentSettings = preview
    ? { mode: preview.mode, after: preview.after, githubEnvironment: input.githubEnvironment, preview: { pullRequest: preview.pullRequest } }
    : {
        mode: evaluation.config.deploy?.mode ?? 'auto',
        after: evaluation.config.deploy?.after ?? [],
        githubEnvironment: input.githubEnvironment,
        verdict: { rollback: rollbackSettings(evaluation.config), services: Object.keys(evaluation.config.services).sort() },
      };
  const blocking = evaluation.policies.filter(isBlocking);
  const fields = {
    terraformJson: evaluation.terraform,
    configHash: evaluation.configHash,
    planSummary: {
      ...planSummary(evaluation.plan),
      policies: evaluation.policies.filter((r) => r.status !== 'pass').map((r) => ({ ruleId: r.ruleId, status: r.status, severity: r.severity })),
    },
    monthlyCostUsd: evaluation.cost?.monthly ?? null,
    settings,
  };
  const blocked = blocking.length > 0 ? { status: 'failed' as const, actor: 'policy', reason: `blocked by ${blocking.map((r) => r.ruleId).join(', ')}` } : undefined;

  if (input.runner && !blocked) {
    // A retried push job finds its deployment recorded: the deploy job's key makes enqueueing it again a no-op.
    return db.transaction(async (t) => {
      const recorded = existing ?? (await createDeployment(t, { appId, environmentId: env.id, commitSha: sha, trigger, actor: 'slipway', reason: `${preview ? `preview of #${preview.pullRequest} at` : 'push'} ${sha.slice(0, 12)}`, ...fields }));
      const superseded = await supersedeOlderDeployments(t, { appId, environmentId: env.id, newerId: recorded.id, actor: 'slipway', reason: `superseded by ${sha.slice(0, 12)}` });
      await enqueueMany(t, [
        deployJob({ deploymentId: recorded.id, appId, environment, action: 'run' }),
        // Each superseded one's GitHub check and Deployment are told (its own job may never run again).
        ...superseded.map((deploymentId) => deployJob({ deploymentId, appId, environment, action: 'report' })),
      ]);
      return recorded;
    });
  }

  if (existing && existing.status !== 'queued') return existing;
  const final = blocked ?? { status: 'planned' as const, actor: 'slipway', reason: noRunnerNote };
  return db.transaction(async (t) => {
    let recorded: DeploymentRow;
    if (existing) {
      // Left mid-way by an earlier version or another flow: finish it step by step.
      await setDeploymentStatus(t, { deploymentId: existing.id, status: 'planning', actor: 'slipway' });
      recorded = await setDeploymentStatus(t, { deploymentId: existing.id, ...final, ...fields });
    } else {
      recorded = await createPlannedDeployment(t, { appId, environmentId: env.id, commitSha: sha, trigger, actor: 'slipway', reason: `${preview ? `preview of #${preview.pullRequest} at` : 'push'} ${sha.slice(0, 12)}`, final, ...fields });
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
