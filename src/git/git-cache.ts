// A bare git cache per repository on disk, fetched over smart HTTP with isomorphic-git.
// Fetches are incremental (what we have is sent as `have`s), the installation token is given per
// fetch through onAuth and never written to disk or logged, and every operation on one repository
// runs under a per-repository lock so concurrent jobs cannot corrupt its cache.
import * as fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import { createBlobSizer } from './blob-size.ts';
import { createFetchHttpClient } from './fetch-http-client.ts';
import { listChangedPaths } from './changed-paths.ts';
import { GitError } from './git-error.ts';
import { createKeyedMutex } from './keyed-mutex.ts';
import { LruMap } from '../lru-map.ts';
import { readMatchingFiles, readOneFile, type RepoContext } from './read-files.ts';
import { countPacks, repack } from './repack.ts';

export interface GitCacheOptions {
  /** Folder holding one bare repository per repoKey. */
  dir: string;
  /** isomorphic-git HTTP client (default: Node's fetch with a `timeoutMs` deadline). */
  http?: HttpClient;
  /** Deadline per HTTP request of a fetch (default 5 minutes). */
  timeoutMs?: number;
  log?: { debug(message: string): void; warn?(message: string): void };
  /**
   * Compact a repository's packs (`git repack`, in the background under its lock) once a fetch
   * leaves more than this many (default 50; one is added per incremental fetch).
   */
  maxPacks?: number;
  /** The git program for compaction (default `git` on the PATH; without it, packs accumulate). */
  gitBinary?: string;
  /** Repositories whose in-memory caches are kept (default 16; the on-disk cache keeps them all). */
  maxCachedRepos?: number;
  /** Trees kept in memory per repository once read (default 5000). */
  memoTrees?: number;
  /** Small blobs (≤ 256 KB) kept in memory per repository once read (default 500). */
  memoBlobs?: number;
}

export interface FetchCommitInput {
  /** Folder name of the cache, e.g. `acme/web` or a repository id; letters, digits, `._-` and `/`. */
  repoKey: string;
  /** Clone URL without credentials, e.g. `https://github.com/acme/web.git`. */
  url: string;
  /** Installation token: sent as basic auth `x-access-token:<token>`. */
  token?: string;
  /** The exact commit wanted. */
  sha: string;
  /** Where the commit lives on the remote (`refs/heads/main`, `main`, `refs/pull/7/head`); default: all branches. */
  ref?: string;
}

export interface ReadFilesInput {
  repoKey: string;
  sha: string;
  match: (path: string) => boolean;
  /** Refuse (GitError TOO_LARGE) any matching blob larger than this, without reading it. */
  maxBytes?: number;
  /** When given, an oversized file is left out of the result and reported here instead of thrown. */
  onTooLarge?: (path: string, size: number) => void;
}

export interface GitCache {
  /** Makes the commit available in the cache (no network when it already is). */
  fetchCommit(input: FetchCommitInput): Promise<void>;
  hasCommit(repoKey: string, sha: string): Promise<boolean>;
  /** Files of the commit whose path matches, as UTF-8 text, by path. */
  readFiles(input: ReadFilesInput): Promise<Map<string, string>>;
  /** One file of the commit, or null when the commit has no such file. */
  readFile(repoKey: string, sha: string, path: string, options?: { maxBytes?: number }): Promise<string | null>;
  /**
   * Whether `ancestor` is `commit` or in its history (both in the cache); false when either is
   * unknown. `depth` bounds the walk (without it a "no" walks the whole history).
   */
  isAncestor(input: { repoKey: string; ancestor: string; commit: string; depth?: number }): Promise<boolean>;
  /**
   * The best common ancestor of two commits (both in the cache), as `git merge-base` answers; with
   * several (criss-cross merges), the first. Null when they share no history or either is unknown.
   */
  mergeBase(input: { repoKey: string; a: string; b: string }): Promise<string | null>;
  /** Paths added, modified or deleted between two commits (sorted); from null: every file of `to`. */
  changedPaths(input: { repoKey: string; from: string | null; to: string }): Promise<string[]>;
  /** Where a repository's bare cache lives. */
  gitdirOf(repoKey: string): string;
  /** Resolves when background pack compaction started so far has finished. */
  idle(): Promise<void>;
}

const FETCH_REFSPECS = ['+refs/heads/*:refs/remotes/origin/*', '+refs/pull/*:refs/remotes/origin/pull/*'];

export function createGitCache(options: GitCacheOptions): GitCache {
  const root = resolve(options.dir);
  const http = options.http ?? createFetchHttpClient(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  const withLock = createKeyedMutex();
  // Per repository: isomorphic-git's object cache (it holds parsed pack indexes and pack data, found
  // by file name so new packs are seen), our blob sizer and memo. Only recently used repositories
  // keep theirs, which bounds memory whatever the number of repositories.
  const maxRepos = options.maxCachedRepos ?? 16;
  const objectCaches = new LruMap<string, object>(maxRepos);
  const sizers = new LruMap<string, ReturnType<typeof createBlobSizer>>(maxRepos);
  const memos = new LruMap<string, RepoContext['memo']>(maxRepos);

  // Pack compaction, after a fetch leaves too many packs: queued behind the fetch on the
  // repository's lock, so no read sees packs being replaced; the in-memory caches that index the
  // old packs are dropped after it.
  const maxPacks = options.maxPacks ?? 50;
  const compacting = new Set<Promise<void>>();
  let gitMissing = false;
  function compactLater(gitdir: string): void {
    if (gitMissing || countPacks(gitdir) <= maxPacks) return;
    const done: Promise<void> = withLock(gitdir, async () => {
      const result = await repack(gitdir, options.gitBinary);
      if (result.outcome === 'no-git') {
        gitMissing = true;
        options.log?.warn?.(`git cache: ${options.gitBinary ?? 'git'} is not on the PATH, so packs are not compacted (one more per fetch)`);
        return;
      }
      if (result.outcome === 'failed') {
        options.log?.warn?.(`git cache: compacting ${gitdir} failed: ${result.message}`);
        return;
      }
      objectCaches.delete(gitdir);
      sizers.delete(gitdir);
      options.log?.debug(`git cache: compacted ${result.packsBefore} packs of ${gitdir} into one in ${Math.round(result.ms)} ms`);
    }).finally(() => compacting.delete(done));
    compacting.add(done);
  }

  function gitdirOf(repoKey: string): string {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(repoKey) || repoKey.split('/').some((part) => part === '.' || part === '..')) {
      throw new GitError('BAD_REPO_KEY', `repository key ${JSON.stringify(repoKey)} cannot name a cache folder`);
    }
    const gitdir = join(root, `${repoKey}.git`);
    if (!gitdir.startsWith(root + sep)) throw new GitError('BAD_REPO_KEY', `repository key ${JSON.stringify(repoKey)} leaves the cache folder`);
    return gitdir;
  }

  function contextOf(repoKey: string) {
    const gitdir = gitdirOf(repoKey);
    let cache = objectCaches.get(gitdir);
    if (!cache) objectCaches.set(gitdir, (cache = {}));
    let blobSize = sizers.get(gitdir);
    if (!blobSize) sizers.set(gitdir, (blobSize = createBlobSizer(gitdir)));
    let memo = memos.get(gitdir);
    if (!memo) memos.set(gitdir, (memo = { trees: new LruMap(options.memoTrees ?? 5000), blobs: new LruMap(options.memoBlobs ?? 500) }));
    return { fs, gitdir, cache, blobSize, memo };
  }

  async function commitExists(repoKey: string, sha: string): Promise<boolean> {
    const { gitdir, cache } = contextOf(repoKey);
    try {
      await git.readCommit({ fs, gitdir, cache, oid: sha });
      return true;
    } catch {
      return false;
    }
  }

  const configured = new Map<string, string>();

  async function ensureRepo(gitdir: string, url: string): Promise<void> {
    if (configured.get(gitdir) === url) return;
    if (!fs.existsSync(join(gitdir, 'HEAD'))) {
      await mkdir(gitdir, { recursive: true });
      await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
    }
    // The URL is stored without credentials (isomorphic-git needs a remote to store fetched refs).
    await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: url });
    const current = await git.getConfigAll({ fs, gitdir, path: 'remote.origin.fetch' });
    if (current.join('\n') !== FETCH_REFSPECS.join('\n')) {
      await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: undefined });
      for (const refspec of FETCH_REFSPECS) await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: refspec, append: true });
    }
    configured.set(gitdir, url);
  }

  async function fetchCommit(input: FetchCommitInput): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(input.sha)) throw new GitError('SHA_NOT_FOUND', `not a commit sha: ${JSON.stringify(input.sha)}`);
    const { url, token } = splitCredentials(input.url, input.token);
    const { gitdir, cache } = contextOf(input.repoKey);
    await withLock(gitdir, async () => {
      if (await commitExists(input.repoKey, input.sha)) return;
      await ensureRepo(gitdir, url);
      const ref = input.ref ? fullRef(input.ref) : undefined;
      try {
        await runFetch(gitdir, cache, url, token, ref);
      } catch (error) {
        const mapped = mapFetchError(error, url);
        // The branch is gone (deleted, or renamed): the commit may still be on another one.
        if (ref && mapped.code === 'SHA_NOT_FOUND') await runFetch(gitdir, cache, url, token, undefined).catch((e: unknown) => Promise.reject(mapFetchError(e, url)));
        else throw mapped;
      }
      if (!(await commitExists(input.repoKey, input.sha))) {
        throw new GitError('SHA_NOT_FOUND', `commit ${input.sha} is not in ${url}${ref ? ` (looked in ${ref})` : ''}: the history was rewritten or the branch deleted`);
      }
      compactLater(gitdir);
    });
  }

  async function runFetch(gitdir: string, cache: object, url: string, token: string | undefined, ref: string | undefined): Promise<void> {
    options.log?.debug(`git fetch ${url} ${ref ?? '(all branches)'}`);
    await fetchOnce(gitdir, cache, url, token, ref);
  }

  async function fetchOnce(gitdir: string, cache: object, url: string, token: string | undefined, ref: string | undefined): Promise<void> {
    await git.fetch({
      fs,
      http,
      gitdir,
      cache,
      url,
      remote: 'origin',
      // Not singleBranch: isomorphic-git then sends every ref we have as a `have`, which makes the
      // fetch incremental whichever branch the commit is on.
      ...(ref ? { ref, remoteRef: ref } : {}),
      singleBranch: false,
      tags: false,
      // Token in an Authorization header, never in the URL: it cannot end up in config or logs.
      // Sent up front to save the 401 round trip private repositories otherwise cost every fetch.
      headers: token === undefined ? {} : { authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` },
      onAuth: () => (token === undefined ? { cancel: true } : { username: 'x-access-token', password: token }),
      // One try: a refused token does not get better by asking again.
      onAuthFailure: () => ({ cancel: true }),
    });
  }

  return {
    fetchCommit,
    hasCommit: (repoKey, sha) => withLock(gitdirOf(repoKey), () => commitExists(repoKey, sha)),
    readFiles: (input) => withLock(gitdirOf(input.repoKey), () => readMatchingFiles(contextOf(input.repoKey), input)),
    readFile: (repoKey, sha, path, readOptions = {}) =>
      withLock(gitdirOf(repoKey), () => readOneFile(contextOf(repoKey), { sha, path, ...(readOptions.maxBytes !== undefined ? { maxBytes: readOptions.maxBytes } : {}) })),
    isAncestor: (input) =>
      withLock(gitdirOf(input.repoKey), async () => {
        if (input.ancestor === input.commit) return commitExists(input.repoKey, input.commit);
        const { gitdir, cache } = contextOf(input.repoKey);
        try {
          return await git.isDescendent({ fs, gitdir, cache, oid: input.commit, ancestor: input.ancestor, depth: input.depth ?? -1 });
        } catch {
          return false;
        }
      }),
    mergeBase: (input) =>
      withLock(gitdirOf(input.repoKey), async () => {
        const { gitdir, cache } = contextOf(input.repoKey);
        try {
          const [base] = await git.findMergeBase({ fs, gitdir, cache, oids: [input.a, input.b] });
          return base ?? null;
        } catch {
          return null;
        }
      }),
    changedPaths: (input) => withLock(gitdirOf(input.repoKey), () => listChangedPaths(contextOf(input.repoKey), input)),
    gitdirOf,
    async idle() {
      while (compacting.size > 0) await Promise.all(compacting);
    },
  };
}

function fullRef(ref: string): string {
  if (ref.startsWith('refs/')) return ref;
  return `refs/heads/${ref}`;
}

/** Credentials in the URL (https://x-access-token:…@host/…) are moved out of it. */
function splitCredentials(rawUrl: string, token: string | undefined): { url: string; token: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch (cause) {
    throw new GitError('FETCH_FAILED', 'clone URL is not a URL', { cause });
  }
  const fromUrl = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), token: token ?? fromUrl };
}

function mapFetchError(error: unknown, url: string): GitError {
  if (error instanceof GitError) return error;
  const e = error as { code?: string; data?: { statusCode?: number; statusMessage?: string }; message?: string };
  const status = e.data?.statusCode;
  if (e.code === 'UserCanceledError' || status === 401 || status === 403) {
    return new GitError('AUTH_FAILED', `the git server refused our credentials for ${url}`, { cause: error });
  }
  if (e.code === 'TimeoutError' || (error as Error)?.name === 'TimeoutError') {
    return new GitError('FETCH_FAILED', `fetching ${url} timed out`, { cause: error });
  }
  if (status === 404) return new GitError('REPO_NOT_FOUND', `no repository at ${url} (or the token cannot see it)`, { cause: error });
  if (e.code === 'NotFoundError' && (e as { data?: { what?: string } }).data?.what === 'HEAD') {
    // isomorphic-git needs the remote's HEAD to name an existing branch, even when fetching another ref.
    return new GitError('FETCH_FAILED', `the default branch of ${url} does not exist (empty repository?)`, { cause: error });
  }
  if (e.code === 'NotFoundError') return new GitError('SHA_NOT_FOUND', `ref not on the remote ${url}: ${e.message ?? ''}`, { cause: error });
  return new GitError('FETCH_FAILED', `fetching ${url} failed: ${status ? `HTTP ${status} ` : ''}${e.message ?? String(error)}`, { cause: error });
}
