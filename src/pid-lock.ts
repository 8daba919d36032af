/**
 * A lock file holding its owner's pid, taken with an exclusive create (`wx`): one process at a
 * time per path, across processes on one host. A lock whose owner no longer runs is taken over.
 * Used where two processes sharing a folder would corrupt it: the PGlite data folder and the git
 * cache.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Paths this process holds: its own pid in a lock file is in use only if listed here (otherwise
// the file is left over from an earlier run that happened to have the same pid, as in containers).
const held = new Set<string>();

export type PidLock = { locked: true; release: () => void } | { locked: false; owner: number };

/** Take the lock at `lockPath`, or say which live process holds it. I/O errors other than EEXIST are thrown. */
export function tryPidLock(lockPath: string): PidLock {
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 }); // a data folder: the owner's alone
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(lockPath);
      return {
        locked: true,
        release: () => {
          if (!held.delete(lockPath)) return;
          rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      const inUse = owner === process.pid ? held.has(lockPath) : Number.isInteger(owner) && alive(owner);
      if (inUse || attempt > 0) return { locked: false, owner };
      rmSync(lockPath, { force: true }); // stale: its owner is gone
    }
  }
}
