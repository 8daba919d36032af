/**
 * The deploy job's `apply` for a deployment that came from a push (it has `settings`), as GitHub's
 * Apply button queues it: the API's and the dashboard's Apply take it too, so a push deployment is
 * applied with the same `deploy.after` checks, policies on Terraform's plan (with `/slipway
 * approve`), held-commit guard and GitHub Deployment statuses however it is asked for; once per
 * deployment (idempotency key `apply:<id>`). The API's plan is the deploy job's `plan` the same
 * way (the deploy check run reports it), as often as asked. Undefined for a deployment with no
 * GitHub repository behind it (`slipway apply`'s, under the local installation): those have none
 * of that to keep and run directly (src/reconcile/apply-deployment.ts, src/dashboard/deployment-actions.ts).
 */
import type { EnqueueInput } from '../jobs/enqueue.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';
import { localInstallationId } from '../store/local-repository.ts';
import { deployJob } from './deploy-job.ts';

export function pushApplyJob(
  deployment: Pick<DeploymentListing, 'id' | 'appId' | 'environment' | 'settings' | 'installationId'>,
  actor: string,
  action: 'apply' | 'plan' = 'apply',
): EnqueueInput | undefined {
  if (deployment.settings == null || deployment.installationId === localInstallationId) return undefined;
  return deployJob({ deploymentId: deployment.id, appId: deployment.appId, environment: deployment.environment, action, actor, idempotencyKey: action === 'apply' ? `apply:${deployment.id}` : null });
}
