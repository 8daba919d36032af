import type * as NodeFs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { GitError } from './git-error.ts';
import type { LruMap } from '../lru-map.ts';

export interface RepoContext {
  fs: typeof NodeFs;
  gitdir: string;
  cache: object;
  blobSize(oid: string): Promise<number | undefined>;
  /** Git objects never change under their oid, so trees and small blobs are kept once read. */
  memo: { trees: LruMap<string, TreeEntry[]>; blobs: LruMap<string, string> };
}

/** Blobs up to this size are kept in memory once read (paas.yaml files mostly stay the same across commits). */
const MEMO_BLOB_BYTES = 256 * 1024;

export async function readTreeEntries(ctx: RepoContext, oid: string): Promise<TreeEntry[]> {
  const known = ctx.memo.trees.get(oid);
  if (known) return known;
  const { tree } = await git.readTree({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid });
  ctx.memo.trees.set(oid, tree);
  return tree;
}

export interface TreeFile {
  path: string;
  oid: string;
  mode: string;
}

/** Every file (blob, not symlink or submodule) of a tree, recursively. */
export async function listTreeFiles(ctx: RepoContext, treeOid: string, prefix = '', into: TreeFile[] = []): Promise<TreeFile[]> {
  const tree = await readTreeEntries(ctx, treeOid);
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
  const known = ctx.memo.blobs.get(file.oid);
  if (known !== undefined && (maxBytes === undefined || Buffer.byteLength(known) <= maxBytes)) return known;
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
  const text = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('utf8');
  if (blob.byteLength <= MEMO_BLOB_BYTES) ctx.memo.blobs.set(file.oid, text);
  return text;
}

export async function readMatchingFiles(
  ctx: RepoContext,
  input: { sha: string; match: (path: string) => boolean; maxBytes?: number; onTooLarge?: (path: string, size: number) => void },
): Promise<Map<string, string>> {
  const files = (await listTreeFiles(ctx, await treeOf(ctx, input.sha))).filter((file) => input.match(file.path));
  const result = new Map<string, string>();
  for (const file of files) {
    try {
      result.set(file.path, await readBlobText(ctx, file, input.maxBytes));
    } catch (error) {
      if (!input.onTooLarge || !(error instanceof GitError) || error.code !== 'TOO_LARGE') throw error;
      input.onTooLarge(file.path, error.size ?? 0);
    }
  }
  return result;
}

export async function readOneFile(ctx: RepoContext, input: { sha: string; path: string; maxBytes?: number }): Promise<string | null> {
  const parts = input.path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return null;
  let treeOid = await treeOf(ctx, input.sha);
  for (const [i, part] of parts.entries()) {
    const tree = await readTreeEntries(ctx, treeOid);
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
