/**
 * `/readyz` of `slipway serve`: the store is ready (store-readiness.ts) and, with the embedded store,
 * the delivery spool's loader keeps up — a loader that cannot load (the store does not answer) or
 * whose load hangs makes the instance not ready, with the reason, so a load balancer or an operator
 * sees it instead of a 200 over deliveries that never become jobs.
 */
import type { SpoolHealth } from '../intake/delivery-spool.ts';
import type { Db } from '../store/db.ts';
import type { Readiness } from './routes/health.ts';
import { storeReadiness } from './store-readiness.ts';

export function serviceReadiness(db: Db, spool?: { health: () => SpoolHealth }): Readiness {
  const store = storeReadiness(db);
  return async () => {
    const health = spool?.health();
    if (health && !health.ok) return { ready: false, reason: health.reason };
    return store();
  };
}
