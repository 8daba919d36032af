/**
 * Installations, repositories, apps, environments and deployments written through the store's own
 * queries, for tests and benches that read them back (the API, /metrics).
 */
import type { Db } from '../../src/store/db.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import { createPlannedDeployment, setDeploymentStatus } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import type { DeploymentStatus } from '../../src/store/schema.ts';

export type Seeded = { repositoryId: number; appId: number; environmentId: number; deploymentIds: number[] };

let nextRepositoryId = 9_000_000;

/** One repository (`owner/name`) with an app and an environment, and `statuses.length` deployments ending in those statuses. */
export async function seedApp(
  db: Db,
  input: { repository: string; app?: string; environment?: string; installationId?: number; statuses?: DeploymentStatus[] },
): Promise<Seeded> {
  const installationId = input.installationId ?? 1;
  await upsertInstallation(db, { id: installationId, accountLogin: input.repository.split('/')[0]! });
  const [repo] = await upsertRepositories(db, installationId, [{ id: nextRepositoryId++, fullName: input.repository, defaultBranch: 'main' }]);
  const app = await getOrCreateApp(db, { repositoryId: repo!.id, name: input.app ?? 'web' });
  const env = await getOrCreateEnvironment(db, { appId: app.id, name: input.environment ?? 'production' });
  const deploymentIds: number[] = [];
  for (const [i, status] of (input.statuses ?? []).entries()) {
    const row = await createPlannedDeployment(db, {
      appId: app.id,
      environmentId: env.id,
      commitSha: `${i}`.padStart(40, 'a'),
      planSummary: { counts: { create: 2 }, changed: ['create terraform_data.web'] },
      monthlyCostUsd: 12.5,
      final: { status: status === 'failed' ? 'failed' : 'planned', actor: 'test' },
    });
    if (status !== 'planned' && status !== 'failed') {
      if (['succeeded', 'interrupted', 'superseded'].includes(status)) await setDeploymentStatus(db, { deploymentId: row.id, status: 'applying', actor: 'test' });
      await setDeploymentStatus(db, {
        deploymentId: row.id,
        status,
        actor: 'test',
        ...(status === 'succeeded' ? { outputs: { url: { sensitive: false, value: 'https://web.example' }, password: { sensitive: true } } } : {}),
      });
    }
    deploymentIds.push(row.id);
  }
  return { repositoryId: repo!.id, appId: app.id, environmentId: env.id, deploymentIds };
}
