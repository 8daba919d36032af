/**
 * The job an API apply or plan queues, and its payload (read back by
 * src/reconcile/apply-deployment.ts): `apply` runs the deployment to its end, `plan` stops at
 * `planned` with Terraform's plan stored, nothing applied.
 */
import { z } from 'zod';

export const applyJobKind = 'deployment.apply';

export const ApplyJobPayload = z.object({
  deploymentId: z.number().int().positive(),
  actor: z.string(),
  reason: z.string().optional(),
  mode: z.enum(['apply', 'plan']).default('apply'),
});
export type ApplyJobPayload = z.input<typeof ApplyJobPayload>;
