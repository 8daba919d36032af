/**
 * PGlite is one process's database: two processes opening the same data folder would corrupt it.
 * A lock file beside the folder (`<dir>.lock`, holding the owner's pid) refuses the second one; a
 * lock left by a process that no longer runs is taken over.
 */
import { tryPidLock } from '../pid-lock.ts';
import { StoreError } from './store-error.ts';

export function lockDataDir(dataDir: string): () => void {
  let lock;
  try {
    lock = tryPidLock(`${dataDir}.lock`);
  } catch (error) {
    throw new StoreError('data_dir', `cannot lock the PGlite data folder ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  if (!lock.locked) {
    throw new StoreError(
      'locked',
      `the PGlite data folder ${dataDir} is in use by process ${lock.owner}; stop it, or set DATABASE_URL to share a Postgres server between processes`,
    );
  }
  return lock.release;
}
