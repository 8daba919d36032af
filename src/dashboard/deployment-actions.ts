/**
 * What the dashboard's Apply and Rollback buttons do: Apply of a push's deployment is the deploy
 * job's `apply`, as GitHub's Apply button (src/deploy/push-apply-job.ts); of one with no GitHub
 * repository behind it, the one runner run here (the same `runDeployment` `slipway apply` uses), a
 * person having approved it by pressing the button; Rollback is the one `rollBack`
 * (as `slipway rollback --to <id>` and `/slipway rollback`): a new deployment of an earlier
 * successful one's Terraform JSON, holding the commit rolled back from, refusing what it refuses.
 * Both are audited and run in the background; the deployment page follows the log.
 */
import { pushApplyJob } from '../deploy/push-apply-job.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Runner } from '../runner/create-runner.ts';
import { runDeployment } from '../runner/run-deployment.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { rollBack } from '../rollback/roll-back.ts';
import { RollbackRefused } from '../rollback/rollback-refused.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { Db } from '../store/db.ts';
import { deploymentTerraformJson, findDeployment } from '../store/deployment-runs.ts';
import { appEnvironmentOf, liveDeployment } from '../store/rollback-targets.ts';

export class ActionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export type DeploymentActions = {
  canApply: (status: string) => boolean;
  /** A succeeded deployment that is not the one live now (rolling back to that would change nothing). */
  canRollback: (deployment: { id: number; status: string; environmentId: number }) => Promise<boolean>;
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
  const canRollback = async (deployment: { id: number; status: string; environmentId: number }) =>
    deployment.status === 'succeeded' && (await liveDeployment(deps.db, deployment.environmentId))?.id !== deployment.id;
  return {
    canApply,
    canRollback,
    async apply(deploymentId, actor) {
      const { deployment, terraformJson } = await load(deploymentId);
      if (!canApply(deployment.status)) throw new ActionRefused(`deployment ${deploymentId} is ${deployment.status}: only a planned or waiting deployment can be applied`);
      // A push's deployment: the deploy job, as GitHub's Apply button (checks, policies, guards,
      // GitHub Deployment statuses), run by the worker. One with no GitHub repository behind it
      // (`slipway apply`'s) runs here directly.
      const job = pushApplyJob(deployment, actor);
      if (job) {
        const queued = await enqueue(deps.db, job);
        if (!queued.created) throw new ActionRefused(`an apply of deployment ${deploymentId} was already requested (job ${queued.id})`);
        await writeAudit(deps.db, { actor, action: 'deployment.apply', subject: `deployment:${deploymentId}`, details: { job: queued.id } });
        return deploymentId;
      }
      await writeAudit(deps.db, { actor, action: 'deployment.apply', subject: `deployment:${deploymentId}` });
      start(deploymentId, terraformJson, { app: deployment.app, environment: deployment.environment }, actor);
      return deploymentId;
    },
    async rollback(deploymentId, actor) {
      const where = await appEnvironmentOf(deps.db, deploymentId);
      if (!where) throw new ActionRefused(`deployment ${deploymentId} does not exist`);
      // rollBack refuses (RollbackRefused) before it records anything; once recorded, it runs on here.
      let recorded!: (id: number) => void;
      const started = new Promise<number>((resolve) => (recorded = resolve));
      const run = rollBack(
        { db: deps.db, runner: deps.runner, log: deps.log },
        { where, to: String(deploymentId), actor, reason: `asked for on the dashboard by ${actor}`, onRecorded: (deployment) => recorded(deployment.id) },
      ).finally(() => running.delete(run));
      running.add(run);
      const id = await Promise.race([started, run.then(() => started)]).catch((error) => {
        if (error instanceof RollbackRefused) throw new ActionRefused(error.message);
        throw error;
      });
      run.catch((error) => deps.log(`slipway: dashboard: rollback deployment ${id} did not run: ${(error as Error).message}`));
      await writeAudit(deps.db, { actor, action: 'deployment.rollback', subject: `deployment:${id}`, details: { to: deploymentId } });
      return id;
    },
    async settle() {
      await Promise.allSettled([...running]);
    },
  };
}
