/**
 * Read what a reconcile needs from one commit: the `paas.yaml` files (as data: they are parsed,
 * never executed — a fork's content gets no credentials and runs nothing) and the repository's
 * policy files. A file over the loader's size limit is refused without being read and becomes a
 * located config error.
 */
import { fileTooLargeError, isConfigPath, loadAppsFromFiles, type LoadResult } from '../config/load.ts';
import { limits } from '../config/parse-yaml.ts';
import { GitError, type GitCache } from '../git/index.ts';
import { isRepositoryPolicyFile } from '../policy/index.ts';

export type CommitRef = { repoKey: string; url: string; token?: string; sha: string; ref?: string };

export async function fetchCommit(git: GitCache, commit: CommitRef): Promise<void> {
  await git.fetchCommit({ repoKey: commit.repoKey, url: commit.url, sha: commit.sha, ...(commit.token ? { token: commit.token } : {}), ...(commit.ref ? { ref: commit.ref } : {}) });
}

/** Files matching `match`, each at most `maxBytes`; oversized ones are reported, not read. */
export async function readLimitedFiles(
  git: GitCache,
  repoKey: string,
  sha: string,
  match: (path: string) => boolean,
  maxBytes: number,
): Promise<{ files: Map<string, string>; oversized: Array<{ path: string; size: number }> }> {
  const oversized: Array<{ path: string; size: number }> = [];
  const skip = new Set<string>();
  for (;;) {
    try {
      const files = await git.readFiles({ repoKey, sha, match: (p) => match(p) && !skip.has(p), maxBytes });
      return { files, oversized };
    } catch (error) {
      if (!(error instanceof GitError) || error.code !== 'TOO_LARGE' || !error.path || skip.has(error.path)) throw error;
      skip.add(error.path);
      oversized.push({ path: error.path, size: error.size ?? maxBytes + 1 });
    }
  }
}

export async function loadAppsAtCommit(git: GitCache, repoKey: string, sha: string): Promise<LoadResult> {
  const { files, oversized } = await readLimitedFiles(git, repoKey, sha, isConfigPath, limits.maxBytes);
  const result = loadAppsFromFiles(files);
  const tooLarge = oversized.map(({ path, size }) => fileTooLargeError(path, size));
  return { apps: result.apps, errors: [...tooLarge, ...result.errors] };
}

export async function policyFilesAtCommit(git: GitCache, repoKey: string, sha: string): Promise<Map<string, string>> {
  const { files } = await readLimitedFiles(git, repoKey, sha, isRepositoryPolicyFile, 1024 * 1024);
  return files;
}
