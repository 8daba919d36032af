/**
 * PGlite is one process's database: two processes opening the same data folder would corrupt it.
 * A lock file beside the folder (`<dir>.lock`, holding the owner's pid) refuses the second one; a
 * lock left by a process that no longer runs is taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store-error.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Folders this process holds: its own pid in a lock file is in use only if listed here (otherwise
// the file is left over from an earlier run that happened to have the same pid, as in containers).
const held = new Set<string>();

export function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(lockPath);
      return () => {
        held.delete(lockPath);
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError('data_dir', `cannot lock the PGlite data folder ${dataDir}: ${(error as Error).message}`, { cause: error });
      }
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      const inUse = owner === process.pid ? held.has(lockPath) : Number.isInteger(owner) && alive(owner);
      if (inUse) {
        throw new StoreError(
          'locked',
          `the PGlite data folder ${dataDir} is in use by process ${owner}; stop it, or set DATABASE_URL to share a Postgres server between processes`,
        );
      }
      rmSync(lockPath, { force: true }); // stale: its owner is gone
    }
  }
  throw new StoreError('locked', `cannot lock the PGlite data folder ${dataDir}`);
}
