/**
 * After a deploy succeeds, its verdict is checked at each quarter of the watch window by a
 * `deploy.verdict` job (verdict-job.ts). The deploy job calls `scheduleVerdict` once the
 * deployment succeeded, with the environment's resolved paas.yaml: the settings and the services
 * are copied into the job, so a later change of paas.yaml does not change how this deploy is judged.
 */
import type { ResolvedConfig } from '../config/schema.ts';
import { enqueue, type Enqueued } from '../jobs/enqueue.ts';
import type { Db } from '../store/db.ts';
import { rollbackSettings, type RollbackSettings } from './rollback-settings.ts';
import { checkpointsPerWatch } from './verdict-settings.ts';

export const verdictJobKind = 'deploy.verdict';

export type VerdictJobPayload = {
  deploymentId: number;
  /** Epoch ms the deploy finished applying: the watch starts here. */
  deployedAt: number;
  /** Which check of the watch this job is (1..checkpointsPerWatch). */
  checkpoint: number;
  rollback: RollbackSettings;
  services: string[];
  /** The check run on the commit, once created (updated by the later checks). */
  checkRunId?: number;
};

/** Enqueue the first check of a deploy's verdict (in the caller's transaction, when it has one). */
export async function scheduleVerdict(db: Db, input: { deploymentId: number; deployedAt: Date; config: Pick<ResolvedConfig, 'rollback' | 'services'> }): Promise<Enqueued> {
  return enqueueCheck(db, {
    deploymentId: input.deploymentId,
    deployedAt: input.deployedAt.getTime(),
    checkpoint: 1,
    rollback: rollbackSettings(input.config),
    services: Object.keys(input.config.services).sort(),
  });
}

/** The job of one check, due at its quarter of the watch; once per deployment and check. */
export async function enqueueCheck(db: Db, payload: VerdictJobPayload): Promise<Enqueued> {
  return enqueue(db, {
    kind: verdictJobKind,
    payload,
    runAt: new Date(checkTime(payload)),
    idempotencyKey: `verdict:${payload.deploymentId}:${payload.checkpoint}`,
    concurrencyKey: `verdict:${payload.deploymentId}`,
  });
}

/** When a check is due: its quarter of the watch after the deploy. */
export function checkTime(payload: Pick<VerdictJobPayload, 'deployedAt' | 'checkpoint' | 'rollback'>): number {
  return payload.deployedAt + (payload.checkpoint * payload.rollback.watchMs) / checkpointsPerWatch;
}
