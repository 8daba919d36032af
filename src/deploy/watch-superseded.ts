/**
 * A running deploy job keeps an eye on its deployment's row: when a newer push marks it
 * `superseded` (push-deployments.ts: only before it applies), the run is aborted with a
 * `superseded` CancelRun, which stops Terraform's plan or the wait for the deploy lock and never
 * an apply in progress. Polled (one small read every `everyMs`), so it works across processes on
 * either store.
 */
import { CancelRun } from '../runner/index.ts';
import type { Db } from '../store/db.ts';
import { deploymentStatus } from '../store/push-deployments.ts';

export function watchSuperseded(db: Db, deploymentId: number, controller: AbortController, everyMs = 250): () => void {
  let stopped = false;
  const tick = async () => {
    if (stopped || controller.signal.aborted) return;
    const status = await deploymentStatus(db, deploymentId).catch(() => undefined);
    if (status === 'superseded' && !controller.signal.aborted) controller.abort(new CancelRun('superseded', 'a newer commit was pushed'));
    else if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  let timer = setTimeout(() => void tick(), everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
