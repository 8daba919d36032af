/**
 * The deploy job: one per step of a push's deployment, on the queue under the concurrency key
 * `deploy:<app id>:<environment>`, so at most one plan or apply per app and environment runs at a
 * time across every worker process (the deploy lock in the runner is the second fence).
 *  - `run`: enqueued by the push job with the deployment; plans, and applies when it may.
 *  - `checks`: a check on the commit completed; a deployment waiting for its `deploy.after` applies
 *    or fails.
 *  - `apply`: a writer pressed **Apply** on a `deploy: manual` deployment.
 *  - `plan`: Terraform's plan against the current state was asked for (`POST /api/v1/deployments/{id}/plan`);
 *    plans only, whatever the deployment's mode, and reports it as the `run` of a manual one does.
 *  - `timeout`: the `deploy.after` checks did not succeed in time (enqueued with a `runAt`).
 *  - `report`: a newer push superseded it before it ran: GitHub is told.
 */
import type { EnqueueInput } from '../jobs/index.ts';

export const deployJobKind = 'slipway.deploy';

export type DeployAction = 'run' | 'checks' | 'apply' | 'plan' | 'timeout' | 'report';

export type DeployJobPayload = { deploymentId: number; action: DeployAction; actor?: string };

export function deployJob(input: {
  deploymentId: number;
  appId: number;
  environment: string;
  action: DeployAction;
  actor?: string;
  runAt?: Date;
  /** Default: one `run`, `timeout` and `report` job per deployment; `checks` and `apply` per event; null: none. */
  idempotencyKey?: string | null;
}): EnqueueInput {
  const { deploymentId, action } = input;
  return {
    kind: deployJobKind,
    payload: { deploymentId, action, ...(input.actor ? { actor: input.actor } : {}) } satisfies DeployJobPayload,
    concurrencyKey: `deploy:${input.appId}:${input.environment}`,
    idempotencyKey: input.idempotencyKey === undefined ? `deploy:${deploymentId}:${action}` : input.idempotencyKey,
    ...(input.runAt ? { runAt: input.runAt } : {}),
    // A step that cannot succeed (GitHub down for long) ends the job; the deployment says why.
    maxAttempts: 5,
  };
}
