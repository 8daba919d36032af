/**
 * Slipway's data is its operator's alone: folders 0700, files 0600. The process umask (set by the
 * CLI for `serve`, `migrate` and `metrics`) covers what Node creates; PGlite does not honour it:
 * its WebAssembly file system gives every file it creates mode 0666 (968 of 1,043 files of a new
 * data folder, `pg_hba.conf` included). So the data folder is made private after it is opened and
 * again when it is closed; in between, files PGlite adds sit inside a folder only the owner can
 * enter.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const privateFolderMode = 0o700;

/** Create `dir` (and missing parents) private to this user; an existing `dir` is made private. */
export function makePrivateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateFolderMode });
  chmodSync(dir, privateFolderMode);
}

/** Take group and other permissions off `dir` and everything under it (links are left alone). */
export function makePrivateTree(dir: string): void {
  const stack = [dir];
  while (stack.length > 0) {
    const folder = stack.pop()!;
    ownerOnly(folder);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) ownerOnly(path);
    }
  }
}

/** The owner keeps its own bits (PGlite's files are rw: 0600; folders rwx: 0700); nobody else has any. */
function ownerOnly(path: string): void {
  const { mode } = lstatSync(path);
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}
