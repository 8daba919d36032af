/** Readiness of the store: a round trip, and every migration this build ships applied. */
import type { Db } from '../store/db.ts';
import { migrationStatus } from '../store/migration-status.ts';
import type { Readiness } from './routes/health.ts';

export function storeReadiness(db: Db): Readiness {
  return async () => {
    const { applied, shipped } = await migrationStatus(db);
    return applied < shipped ? { ready: false, reason: `${applied} of ${shipped} migrations applied` } : { ready: true };
  };
}
