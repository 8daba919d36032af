/**
 * Pack compaction for a bare cache. Every incremental fetch adds one packfile, and isomorphic-git
 * looks an object up pack by pack, so after thousands of pushes reads slow down and the cache holds
 * thousands of small files. isomorphic-git cannot repack (its packObjects writes undeltified
 * objects), so this runs `git repack -a -d -k`: one deltified pack with every object, the old
 * ones deleted. Nothing is lost: `-k` keeps objects no ref reaches (a deployed commit that a
 * force-push orphaned is still compared against). Without `git` on the PATH packs simply
 * accumulate, as before.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function countPacks(gitdir: string): number {
  try {
    return readdirSync(join(gitdir, 'objects', 'pack')).filter((name) => name.endsWith('.pack')).length;
  } catch {
    return 0;
  }
}

export type RepackResult = { outcome: 'repacked'; packsBefore: number; ms: number } | { outcome: 'no-git' } | { outcome: 'failed'; message: string };

export async function repack(gitdir: string, gitBinary = 'git'): Promise<RepackResult> {
  const packsBefore = countPacks(gitdir);
  const started = performance.now();
  try {
    await run(gitBinary, ['-C', gitdir, 'repack', '-a', '-d', '-k', '-q'], { timeout: 10 * 60_000, env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', HOME: gitdir } });
    return { outcome: 'repacked', packsBefore, ms: performance.now() - started };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'no-git' };
    return { outcome: 'failed', message: ((error as { stderr?: string }).stderr || (error as Error).message).trim().slice(0, 300) };
  }
}
