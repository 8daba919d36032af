/**
 * Whether `ancestor` is reachable from `commit` in the repository's cache (both already fetched).
 * Used to refuse an out-of-order push: a commit that is an ancestor of what is deployed is older.
 * `depth` bounds the walk (isomorphic-git walks the whole history when the answer is no).
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import type { GitCache } from '../git/index.ts';

export async function isAncestor(cache: GitCache, repoKey: string, ancestor: string, commit: string, depth = -1): Promise<boolean> {
  if (ancestor === commit) return true;
  try {
    return await git.isDescendent({ fs, gitdir: cache.gitdirOf(repoKey), oid: commit, ancestor, depth });
  } catch {
    return false; // unknown commit (rewritten history): not an ancestor
  }
}
