/**
 * The job an API rollback queues (`POST /api/v1/deployments/{id}/rollback`), and its payload, read
 * back by src/reconcile/rollback-deployment.ts: roll the deployment's app and environment back to
 * it through the one rollback (src/rollback/roll-back.ts).
 */
import { z } from 'zod';

export const rollbackJobKind = 'deployment.rollback';

export const RollbackJobPayload = z.object({
  /** The deployment rolled back to. */
  deploymentId: z.number().int().positive(),
  /** The live deployment when it was asked for: a deploy that went live since is not undone. */
  from: z.number().int().positive().optional(),
  actor: z.string(),
  reason: z.string().optional(),
});
export type RollbackJobPayload = z.input<typeof RollbackJobPayload>;
