/**
 * The names an app's environment is known by outside the store — to the pull request, GitHub and
 * the runner: app and environment names, the repository and its installation. Selected by queries
 * that join `apps`, `environments` and `repositories` (each from its own table: deployments,
 * previews, environments).
 */
import { apps, environments, repositories } from './schema.ts';

export const tenantColumns = {
  app: apps.name,
  environment: environments.name,
  repository: repositories.fullName,
  repositoryId: repositories.id,
  installationId: repositories.installationId,
};

/** A row's share of `tenantColumns`. */
export type TenantNames = { app: string; environment: string; repository: string; repositoryId: number; installationId: number };
