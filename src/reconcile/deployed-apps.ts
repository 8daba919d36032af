/**
 * Each app of the pushed commit with its row in the store (created on first sight) and the
 * deployment it is planned against: the environment's latest planned, applied or superseded
 * deployment of ANOTHER commit (a retried job finds its own commit's deployment already recorded).
 */
import type { LoadedApp } from '../config/load.ts';
import { getOrCreateApp } from '../store/apps.ts';
import type { Db } from '../store/db.ts';
import { lastAppliedStatuses, lastDeploymentOfOtherCommit } from '../store/deployments.ts';
import type { App, Deployment } from '../store/schema.ts';

export type DeployedApp = { app: LoadedApp; row: App; last?: Deployment };

export async function deployedApps(db: Db, input: { repositoryId: number; apps: LoadedApp[]; sha: string; environment: string }): Promise<DeployedApp[]> {
  return Promise.all(
    input.apps.map(async (app) => {
      const row = await getOrCreateApp(db, { repositoryId: input.repositoryId, name: app.config.name, configPath: app.file });
      const last = await lastDeploymentOfOtherCommit(db, {
        appId: row.id,
        environment: input.environment,
        commitSha: input.sha,
        statuses: [...lastAppliedStatuses, 'superseded'],
      });
      return { app, row, ...(last ? { last } : {}) };
    }),
  );
}
