/**
 * Out of order: an older commit never replaces a newer one. The usual case — the push builds on
 * what is deployed (its `before`, or a short walk back from it) — is settled without walking
 * history; only otherwise is the deployed commit searched for this one, at most `searchDepth`
 * commits back. A force-push (the new head does not descend from what is deployed, nor is it an
 * ancestor of it) is not older: history was rewritten on purpose, and it is deployed.
 */
import type { GitCache } from '../git/index.ts';
import type { DeployedApp } from './deployed-apps.ts';

const searchDepth = 1_000;

/** The deployed commit the pushed `sha` is an ancestor of, if any. */
export async function newerDeployedCommit(git: GitCache, repoKey: string, apps: DeployedApp[], push: { sha: string; before?: string }): Promise<string | undefined> {
  for (const { last } of apps) {
    if (!last || last.commitSha === push.sha || last.commitSha === push.before) continue;
    if (!(await git.hasCommit(repoKey, last.commitSha))) continue; // rewritten away
    if (await git.isAncestor({ repoKey, ancestor: last.commitSha, commit: push.sha, depth: searchDepth })) continue;
    if (await git.isAncestor({ repoKey, ancestor: push.sha, commit: last.commitSha, depth: searchDepth })) return last.commitSha;
  }
  return undefined;
}
