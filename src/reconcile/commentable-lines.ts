/**
 * Which lines of the given files a review comment may sit on in a pull request: the right side of
 * the hunks GitHub shows, that is the diff between the merge base of the PR's base and head, and
 * its head (`base...head`). A file the PR does not change has none.
 */
import { commentableRanges, GitError, type GitCache, type LineRange } from '../git/index.ts';
import { limits } from '../config/parse-yaml.ts';

/** By path; null when base and head share no history (no diff GitHub could show). */
export type CommentableLines = Map<string, LineRange[]> | null;

export async function commentableLines(
  git: GitCache,
  input: { repoKey: string; baseSha: string; headSha: string; paths: string[] },
): Promise<CommentableLines> {
  const mergeBase = await git.mergeBase({ repoKey: input.repoKey, a: input.baseSha, b: input.headSha });
  if (!mergeBase) return null;
  const changed = new Set(await git.changedPaths({ repoKey: input.repoKey, from: mergeBase, to: input.headSha }));
  const out = new Map<string, LineRange[]>();
  for (const path of input.paths) {
    if (!changed.has(path)) {
      out.set(path, []);
      continue;
    }
    try {
      const before = await git.readFile(input.repoKey, mergeBase, path, { maxBytes: limits.maxBytes });
      const after = await git.readFile(input.repoKey, input.headSha, path, { maxBytes: limits.maxBytes });
      out.set(path, after === null ? [] : (commentableRanges(before, after) ?? []));
    } catch (error) {
      // An oversized version: no line of it is known to be in the diff.
      if (!(error instanceof GitError) || error.code !== 'TOO_LARGE') throw error;
      out.set(path, []);
    }
  }
  return out;
}
