/**
 * The git cache is one process's: isomorphic-git writes packs, indexes and refs without locking,
 * so two processes fetching into one bare repository could corrupt it (the in-process lock in
 * git-cache.ts serialises only this process's jobs). Several worker processes on one host
 * (`SLIPWAY_ROLE=worker` with Postgres) sharing SLIPWAY_DATA_DIR each claim a folder of their
 * own: `git`, else `git-2`, `git-3`, … — the first whose pid lock (`<dir>.lock`) is free or stale.
 * A restarted worker takes its folder back, with its cache.
 */
import { tryPidLock } from '../pid-lock.ts';
import { GitError } from './git-error.ts';

export function claimCacheDir(base: string, maxSlots = 64): { dir: string; release: () => void } {
  for (let slot = 1; slot <= maxSlots; slot++) {
    const dir = slot === 1 ? base : `${base}-${slot}`;
    let lock;
    try {
      lock = tryPidLock(`${dir}.lock`);
    } catch (error) {
      throw new GitError('CACHE_DIR', `cannot lock the git cache folder ${dir}: ${(error as Error).message}`, { cause: error });
    }
    if (lock.locked) return { dir, release: lock.release };
  }
  throw new GitError('CACHE_DIR', `all ${maxSlots} git cache folders under ${base} are in use by running processes`);
}
