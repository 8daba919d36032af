/**
 * Which deployment a rollback re-applies, and what it rolls back from:
 *  - no target: the last successful deployment before the live one, of another commit and not of
 *    a held commit;
 *  - a deployment id (`12` or `#12`): that one, if it is of this app and environment, succeeded,
 *    and still has its Terraform JSON;
 *  - a commit (7 to 40 hex characters): the latest successful deployment of it here.
 * Anything else is a RollbackRefused saying why and what to do.
 */
import type { Db } from '../store/db.ts';
import { findDeployment } from '../store/deployment-runs.ts';
import type { DeploymentRow } from '../store/deployments.ts';
import { deploymentsOfCommit, hasTerraformJson, lastGoodDeployment, liveDeployment, type AppEnvironment } from '../store/rollback-targets.ts';
import { RollbackRefused } from './rollback-refused.ts';

export type RollbackChoice = { target: DeploymentRow; live: DeploymentRow | undefined };

const short = (sha: string) => sha.slice(0, 7);

export async function chooseRollbackTarget(db: Db, where: AppEnvironment, to?: string): Promise<RollbackChoice> {
  const name = `${where.app}.${where.environment}`;
  const live = await liveDeployment(db, where.environmentId);
  let target: DeploymentRow;
  if (to === undefined) {
    if (!live) throw new RollbackRefused('nothing_live', `${name} has no successful deployment yet: there is nothing to roll back from`);
    const earlier = await lastGoodDeployment(db, { environmentId: where.environmentId, beforeId: live.id, otherThan: live.commitSha });
    if (!earlier) throw new RollbackRefused('no_earlier', `${name} has no successful deployment of another commit before deployment ${live.id} (${short(live.commitSha)}): there is nothing to roll back to`);
    target = earlier;
  } else {
    target = await byReference(db, where, to.trim());
  }
  if (live && live.id === target.id) throw new RollbackRefused('already_live', `deployment ${target.id} (${short(target.commitSha)}) is what ${name} runs now: nothing to roll back`);
  if (!(await hasTerraformJson(db, target.id))) {
    throw new RollbackRefused('pruned', `deployment ${target.id} (${short(target.commitSha)}) no longer has its Terraform JSON (pruned): it cannot be applied again; choose a later one with --to`);
  }
  return { target, live };
}

async function byReference(db: Db, where: AppEnvironment, to: string): Promise<DeploymentRow> {
  const name = `${where.app}.${where.environment}`;
  const id = /^#?(\d{1,15})$/.exec(to);
  if (id && (to.startsWith('#') || to.length < 7)) return byId(db, where, Number(id[1]));
  if (!/^[0-9a-f]{7,40}$/i.test(to)) {
    throw new RollbackRefused('not_found', `"${to}" is neither a deployment id (such as 12) nor a commit (7 to 40 hex characters, such as 1a2b3c4)`);
  }
  const rows = await deploymentsOfCommit(db, { environmentId: where.environmentId, prefix: to.toLowerCase() });
  const good = rows.find((r) => r.status === 'succeeded');
  if (good) return good;
  if (rows.length > 0) {
    throw new RollbackRefused('not_succeeded', `commit ${to} was deployed to ${name} but never succeeded (${rows.map((r) => `deployment ${r.id}: ${r.status}`).join(', ')}): choose a deployment that succeeded`);
  }
  if (id) return byId(db, where, Number(id[1])); // all digits, 7 or more, and no such commit: a long id, after all
  throw new RollbackRefused('not_found', `no deployment of commit ${to} in ${name}: \`slipway deployments --app ${where.app} --env ${where.environment}\` lists them`);
}

async function byId(db: Db, where: AppEnvironment, id: number): Promise<DeploymentRow> {
  const name = `${where.app}.${where.environment}`;
  const row = await findDeployment(db, id);
  if (!row) throw new RollbackRefused('not_found', `deployment ${id} does not exist: \`slipway deployments --app ${where.app} --env ${where.environment}\` lists them`);
  if (row.appId !== where.appId || row.environmentId !== where.environmentId) {
    throw new RollbackRefused('other_app', `deployment ${id} belongs to ${row.app}.${row.environment} (${row.repository}), not ${name}: a rollback re-applies a deployment of the same app and environment`);
  }
  if (row.status !== 'succeeded') {
    throw new RollbackRefused('not_succeeded', `deployment ${id} (${short(row.commitSha)}) never succeeded (it ended ${row.status}): only a deployment that succeeded is a known good state to return to`);
  }
  const { app: _a, environment: _e, repository: _r, ...deployment } = row;
  return deployment;
}
