/** The store's public surface: open it, the schema and row types, and the query helpers. */
export { openStore, lazyStore, type Store, type StoreOptions } from './open-store.ts';
export { storeOptionsFromEnv, defaultDataDir } from './store-options.ts';
export { StoreError, type StoreErrorCode } from './store-error.ts';
export { redactUrl } from './redact-url.ts';
export type { Db } from './db.ts';
export * from './schema.ts';
export { insertDeliveries, setDeliveryOutcome, findDelivery, latestPullRequestDelivery, type DeliveryInput } from './webhook-deliveries.ts';
export { upsertInstallation, removeInstallation, findInstallation, type InstallationInput } from './installations.ts';
export { upsertRepositories, removeRepositories, findRepository, findInstalledRepository, type RepositoryInput } from './repositories.ts';
export { getOrCreateApp } from './apps.ts';
export { getOrCreateEnvironment, type EnvironmentKind } from './environments.ts';
export {
  createDeployment,
  appendDeploymentEvent,
  setDeploymentStatus,
  deploymentHistory,
  lastAppliedDeployment,
  lastAppliedStatuses,
  lastDeploymentOfOtherCommit,
  findDeploymentOfCommit,
  type CreateDeploymentInput,
  type DeploymentUpdate,
} from './deployments.ts';
export { canMoveDeployment, isFinished } from './deployment-lifecycle.ts';
export { insertMetricSeries, readMetricSamples, hasMetricSamples, type SampleScope, type MetricSeriesRows } from './metric-samples.ts';
export { writeAudit, recentAudit, auditDetails } from './audit-log.ts';
export {
  recordProposedRecommendations,
  openRecommendations,
  decideRecommendation,
  recommendationsAwaitingEffect,
  recordRecommendationEffect,
  lastMeasuredRecommendation,
  recommendationHistory,
  type ProposedRecommendation,
} from './recommendations.ts';
export { appendDeploymentLog, readDeploymentLog, deploymentLogBytes, type DeploymentLogChunk } from './deployment-logs.ts';
export { findDeployment, deploymentTerraformJson, listDeployments, deploymentsLeftApplying, type DeploymentListing } from './deployment-runs.ts';
export { supersedeOlderDeployments, deploymentsOfCommit, previousSucceededDeployment, setGitHubDeploymentId, deploymentStatus, supersedableStatuses } from './push-deployments.ts';
export { localRepository, localInstallationId } from './local-repository.ts';
export { openDeployLocks, type DeployLocks, type HeldLock } from './deploy-locks.ts';
