/**
 * What the dashboard's Apply and Rollback buttons do, through the one runner (the same
 * `runDeployment` the CLI's `slipway apply` uses): Apply runs a planned (or waiting) deployment to
 * its end, a person having approved it by pressing the button; Rollback records a new deployment
 * of an earlier successful one's Terraform JSON (kept for this) and runs it. Both are audited and
 * run in the background; the deployment page follows the log.
 */
import type { Runner } from '../runner/create-runner.ts';
import { runDeployment } from '../runner/run-deployment.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { Db } from '../store/db.ts';
import { deploymentTerraformJson, findDeployment } from '../store/deployment-runs.ts';
import { createDeployment } from '../store/deployments.ts';

export class ActionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export type DeploymentActions = {
  canApply: (status: string) => boolean;
  canRollback: (status: string) => boolean;
  apply: (deploymentId: number, actor: string) => Promise<number>;
  rollback: (deploymentId: number, actor: string) => Promise<number>;
  /** Resolves when every run started here has ended. */
  settle: () => Promise<void>;
};

export function deploymentActions(deps: { db: Db; runner: Runner; log: (message: string) => void }): DeploymentActions {
  const running = new Set<Promise<unknown>>();
  const start = (deploymentId: number, terraformJson: TerraformJson, workspace: { app: string; environment: string }, actor: string) => {
    const run = runDeployment({ db: deps.db, runner: deps.runner, log: deps.log }, { deploymentId, terraformJson, workspace, actor })
      .catch((error) => deps.log(`slipway: dashboard: deployment ${deploymentId} did not run: ${(error as Error).message}`))
      .finally(() => running.delete(run));
    running.add(run);
  };
  const load = async (deploymentId: number) => {
    const deployment = await findDeployment(deps.db, deploymentId);
    if (!deployment) throw new ActionRefused(`deployment ${deploymentId} does not exist`);
    const terraformJson = (await deploymentTerraformJson(deps.db, deploymentId)) as TerraformJson | null;
    if (!terraformJson) throw new ActionRefused(`deployment ${deploymentId} has no Terraform document to run`);
    return { deployment, terraformJson };
  };
  const canApply = (status: string) => status === 'planned' || status === 'waiting';
  const canRollback = (status: string) => status === 'succeeded';
  return {
    canApply,
    canRollback,
    async apply(deploymentId, actor) {
      const { deployment, terraformJson } = await load(deploymentId);
      if (!canApply(deployment.status)) throw new ActionRefused(`deployment ${deploymentId} is ${deployment.status}: only a planned or waiting deployment can be applied`);
      await writeAudit(deps.db, { actor, action: 'deployment.apply', subject: `deployment:${deploymentId}` });
      start(deploymentId, terraformJson, { app: deployment.app, environment: deployment.environment }, actor);
      return deploymentId;
    },
    async rollback(deploymentId, actor) {
      const { deployment, terraformJson } = await load(deploymentId);
      if (!canRollback(deployment.status)) throw new ActionRefused(`deployment ${deploymentId} is ${deployment.status}: only a deployment that succeeded can be rolled back to`);
      const created = await createDeployment(deps.db, {
        appId: deployment.appId,
        environmentId: deployment.environmentId,
        commitSha: deployment.commitSha,
        trigger: 'rollback',
        terraformJson,
        configHash: deployment.configHash,
        planSummary: deployment.planSummary,
        monthlyCostUsd: deployment.monthlyCostUsd,
        actor,
        reason: `rollback to deployment ${deploymentId}`,
      });
      await writeAudit(deps.db, { actor, action: 'deployment.rollback', subject: `deployment:${created.id}`, details: { to: deploymentId } });
      start(created.id, terraformJson, { app: deployment.app, environment: deployment.environment }, actor);
      return created.id;
    },
    async settle() {
      await Promise.allSettled([...running]);
    },
  };
}
