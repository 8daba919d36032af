/** The job an API apply queues, and its payload (read back by src/reconcile/apply-deployment.ts). */
import { z } from 'zod';

export const applyJobKind = 'deployment.apply';

export const ApplyJobPayload = z.object({ deploymentId: z.number().int().positive(), actor: z.string(), reason: z.string().optional() });
export type ApplyJobPayload = z.infer<typeof ApplyJobPayload>;
