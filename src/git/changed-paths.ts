import { listTreeFiles, readTreeEntries, treeOf, type RepoContext } from './read-files.ts';

type Entry = { oid: string; type: string; mode: string };

/** Paths that differ between two commits; identical subtrees (same oid) are skipped unread. */
export async function listChangedPaths(ctx: RepoContext, input: { from: string | null; to: string }): Promise<string[]> {
  const toTree = await treeOf(ctx, input.to);
  if (input.from === null) return (await listTreeFiles(ctx, toTree)).map((f) => f.path).sort();
  const fromTree = await treeOf(ctx, input.from);
  const changed: string[] = [];
  await diffTrees(ctx, fromTree, toTree, '', changed);
  return changed.sort();
}

async function entriesOf(ctx: RepoContext, oid: string | undefined): Promise<Map<string, Entry>> {
  if (!oid) return new Map();
  const tree = await readTreeEntries(ctx, oid);
  return new Map(tree.map((e) => [e.path, { oid: e.oid, type: e.type, mode: e.mode }]));
}

async function diffTrees(ctx: RepoContext, a: string | undefined, b: string | undefined, prefix: string, out: string[]): Promise<void> {
  if (a === b) return;
  const [left, right] = await Promise.all([entriesOf(ctx, a), entriesOf(ctx, b)]);
  const names = new Set([...left.keys(), ...right.keys()]);
  for (const name of names) {
    const l = left.get(name);
    const r = right.get(name);
    if (l && r && l.oid === r.oid && l.mode === r.mode) continue;
    const path = prefix ? `${prefix}/${name}` : name;
    const lTree = l?.type === 'tree' ? l.oid : undefined;
    const rTree = r?.type === 'tree' ? r.oid : undefined;
    if (lTree || rTree) await diffTrees(ctx, lTree, rTree, path, out);
    // A file on either side (a file replaced by a folder, or the other way round, counts too).
    if ((l && l.type !== 'tree') || (r && r.type !== 'tree')) out.push(path);
  }
}
