/**
 * A rollback, the one implementation behind `slipway rollback`, the automatic rollback after a
 * regression (and later the `/slipway rollback` comment and the API): re-apply the recorded
 * Terraform JSON of an earlier successful deployment through the runner, as a new deployment
 * (trigger `rollback`) with the same locks, guards, statuses and log as any other, without
 * touching git. The commit rolled back from is held (commit_holds): auto deploys skip it until a
 * newer commit lands. A rollback that applied nothing (a person declined its plan, or it was
 * superseded) releases the hold again; one that applied a held commit, named on purpose, releases
 * that commit's hold (a person judged it good after all).
 */
import { runDeployment, type RunDeploymentInput, type RunDeploymentResult, type RunnerDeps } from '../runner/run-deployment.ts';
import { holdCommit, releaseCommit } from '../store/commit-holds.ts';
import { deploymentTerraformJson } from '../store/deployment-runs.ts';
import { createDeployment, type DeploymentRow } from '../store/deployments.ts';
import { liveDeployment, type AppEnvironment } from '../store/rollback-targets.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { chooseRollbackTarget } from './choose-rollback-target.ts';
import { RollbackRefused } from './rollback-refused.ts';

export type RollBackInput = {
  where: AppEnvironment;
  /** A deployment id or a commit; default: the last good deployment before the live one. */
  to?: string;
  /** Roll back only while this deployment is still the live one (the automatic rollback of a regression). */
  from?: number;
  actor: string;
  /** Why, recorded with the new deployment and the hold. */
  reason: string;
  approve?: RunDeploymentInput['approve'];
  signal?: AbortSignal;
  /** Called with the recorded rollback deployment before it runs (the CLI prints its id). */
  onRecorded?: (deployment: { id: number; target: DeploymentRow; live: DeploymentRow | undefined }) => void;
};

export type RollBackResult = {
  target: DeploymentRow;
  live: DeploymentRow | undefined;
  /** The commit now held, when one is. */
  held?: string;
  result: RunDeploymentResult;
};

const short = (sha: string) => sha.slice(0, 7);

/** Throws RollbackRefused for a target that cannot be rolled back to; otherwise the run's result. */
export async function rollBack(deps: RunnerDeps, input: RollBackInput): Promise<RollBackResult> {
  const { db } = deps;
  const { where } = input;
  const { target, live } = await chooseRollbackTarget(db, where, input.to);
  if (input.from !== undefined && live?.id !== input.from) {
    throw new RollbackRefused('not_live', `deployment ${input.from} is no longer what ${where.app}.${where.environment} runs${live ? ` (deployment ${live.id} is)` : ''}: not rolled back`);
  }
  const terraformJson = (await deploymentTerraformJson(db, target.id)) as TerraformJson;
  const from = live ? `from deployment ${live.id} (${short(live.commitSha)})` : 'with nothing live';
  const deployment = await createDeployment(db, {
    appId: where.appId,
    environmentId: where.environmentId,
    commitSha: target.commitSha,
    trigger: 'rollback',
    terraformJson,
    configHash: target.configHash,
    actor: input.actor,
    reason: `rollback to deployment ${target.id} (${short(target.commitSha)}) ${from}: ${input.reason}`,
  });
  const held = live && live.commitSha !== target.commitSha ? live.commitSha : undefined;
  if (held) {
    await holdCommit(db, {
      environmentId: where.environmentId,
      commitSha: held,
      rollbackDeploymentId: deployment.id,
      actor: input.actor,
      reason: `rolled back to ${short(target.commitSha)} by deployment ${deployment.id}: ${input.reason}`,
    });
  }
  input.onRecorded?.({ id: deployment.id, target, live });
  const result = await runDeployment(deps, {
    deploymentId: deployment.id,
    terraformJson,
    workspace: { app: where.app, environment: where.environment },
    actor: input.actor,
    // Right before applying: a deploy that went live while this waited for the lock is not undone.
    guard: async () => {
      const now = await liveDeployment(db, where.environmentId);
      if (now?.id === live?.id) return { ok: true };
      return { ok: false, reason: `deployment ${now?.id} (${short(now!.commitSha)}) went live while this rollback waited: not rolled back over it` };
    },
    ...(input.approve ? { approve: input.approve } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (held && (result.status === 'cancelled' || result.status === 'superseded')) {
    await releaseCommit(db, { environmentId: where.environmentId, commitSha: held });
    return { target, live, result };
  }
  if (result.status === 'succeeded') await releaseCommit(db, { environmentId: where.environmentId, commitSha: target.commitSha });
  return { target, live, ...(held ? { held } : {}), result };
}
