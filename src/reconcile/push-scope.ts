/**
 * Which apps a push touches, and why, as data the check run renders: an app is planned on first
 * sight, when the commit it was deployed from is gone (history rewritten), or when a file it
 * watches (config/watched-files.ts: its folder, `.slipway/`, its `watch:` globs) changed since
 * that commit. Otherwise it is left alone, and the check run lists the files looked at.
 */
import type { LoadedApp } from '../config/load.ts';
import { watchedFiles } from '../config/watched-files.ts';
import type { GitCache } from '../git/index.ts';
import type { DeployedApp } from './deployed-apps.ts';

export type AppScope = { app: LoadedApp; patterns: string[] } & (
  | { affected: true; reason: 'first-deployment' }
  | { affected: true; reason: 'history-rewritten'; since: string }
  | { affected: true; reason: 'watched-file-changed'; since: string; path: string; pattern: string }
  /** `changed`: every path that changed since the deployed commit, none of them watched. */
  | { affected: false; reason: 'no-watched-file-changed'; since: string; changed: string[] }
);

export async function pushScopes(git: GitCache, repoKey: string, apps: DeployedApp[], sha: string): Promise<AppScope[]> {
  // Apps deployed from the same commit share one list of changed paths.
  const changedSince = new Map<string, Promise<string[]>>();
  const changed = (from: string) => {
    let paths = changedSince.get(from);
    if (!paths) changedSince.set(from, (paths = git.changedPaths({ repoKey, from, to: sha })));
    return paths;
  };
  const scopes: AppScope[] = [];
  for (const { app, last } of apps) {
    const { patterns, match } = watchedFiles(app);
    if (!last) {
      scopes.push({ app, patterns, affected: true, reason: 'first-deployment' });
      continue;
    }
    const since = last.commitSha;
    if (!(await git.hasCommit(repoKey, since))) {
      scopes.push({ app, patterns, affected: true, reason: 'history-rewritten', since });
      continue;
    }
    const paths = await changed(since);
    const hit = paths.map((path) => ({ path, pattern: match(path) })).find((p) => p.pattern !== undefined);
    scopes.push(
      hit
        ? { app, patterns, affected: true, reason: 'watched-file-changed', since, path: hit.path, pattern: hit.pattern! }
        : { app, patterns, affected: false, reason: 'no-watched-file-changed', since, changed: paths },
    );
  }
  return scopes;
}
