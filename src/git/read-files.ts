import type * as NodeFs from 'node:fs';
import git from 'isomorphic-git';
import { GitError } from './git-error.ts';

export interface RepoContext {
  fs: typeof NodeFs;
  gitdir: string;
  cache: object;
  blobSize(oid: string): Promise<number | undefined>;
}

export interface TreeFile {
  path: string;
  oid: string;
  mode: string;
}

/** Every file (blob, not symlink or submodule) of a tree, recursively. */
export async function listTreeFiles(ctx: RepoContext, treeOid: string, prefix = '', into: TreeFile[] = []): Promise<TreeFile[]> {
  const { tree } = await git.readTree({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid: treeOid });
  for (const entry of tree) {
    const path = prefix ? `${prefix}/${entry.path}` : entry.path;
    if (entry.type === 'tree') await listTreeFiles(ctx, entry.oid, path, into);
    else if (entry.type === 'blob' && entry.mode !== '120000') into.push({ path, oid: entry.oid, mode: entry.mode });
  }
  return into;
}

export async function treeOf(ctx: RepoContext, sha: string): Promise<string> {
  try {
    const { commit } = await git.readCommit({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid: sha });
    return commit.tree;
  } catch (cause) {
    throw new GitError('SHA_NOT_FOUND', `commit ${sha} is not in the cache (fetch it first)`, { cause });
  }
}

async function readBlobText(ctx: RepoContext, file: TreeFile, maxBytes: number | undefined): Promise<string> {
  if (maxBytes !== undefined) {
    const size = await ctx.blobSize(file.oid);
    if (size !== undefined && size > maxBytes) {
      throw new GitError('TOO_LARGE', `${file.path} is ${size} bytes, over the ${maxBytes}-byte limit`, { path: file.path, size });
    }
  }
  const { blob } = await git.readBlob({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid: file.oid });
  // Belt and braces, should the size not have been found from the object header.
  if (maxBytes !== undefined && blob.byteLength > maxBytes) {
    throw new GitError('TOO_LARGE', `${file.path} is ${blob.byteLength} bytes, over the ${maxBytes}-byte limit`, { path: file.path, size: blob.byteLength });
  }
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('utf8');
}

export async function readMatchingFiles(ctx: RepoContext, input: { sha: string; match: (path: string) => boolean; maxBytes?: number }): Promise<Map<string, string>> {
  const files = (await listTreeFiles(ctx, await treeOf(ctx, input.sha))).filter((file) => input.match(file.path));
  const result = new Map<string, string>();
  for (const file of files) result.set(file.path, await readBlobText(ctx, file, input.maxBytes));
  return result;
}

export async function readOneFile(ctx: RepoContext, input: { sha: string; path: string; maxBytes?: number }): Promise<string | null> {
  const parts = input.path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return null;
  let treeOid = await treeOf(ctx, input.sha);
  for (const [i, part] of parts.entries()) {
    const { tree } = await git.readTree({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid: treeOid });
    const entry = tree.find((e) => e.path === part);
    if (!entry) return null;
    if (i === parts.length - 1) {
      if (entry.type !== 'blob' || entry.mode === '120000') return null;
      return readBlobText(ctx, { path: parts.join('/'), oid: entry.oid, mode: entry.mode }, input.maxBytes);
    }
    if (entry.type !== 'tree') return null;
    treeOid = entry.oid;
  }
  return null;
}
