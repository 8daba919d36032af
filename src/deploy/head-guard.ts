/**
 * The auto-deploy guard, asked right before applying: the commit must still be the head of the
 * default branch (GitHub is asked, not our copy of the repository: a push may be in flight).
 * Otherwise the run ends `superseded`: the newer commit's own deployment applies instead.
 */
import { getBranchHead } from '../github/index.ts';
import type { GuardVerdict } from '../runner/index.ts';
import type { GitHubWhere } from './github-deployment.ts';

export function headOfBranchGuard(gh: GitHubWhere, branch: string, sha: string): () => Promise<GuardVerdict> {
  return async () => {
    const head = await getBranchHead(gh.octokit, gh.owner, gh.repo, branch);
    if (head === sha) return { ok: true };
    return { ok: false, reason: head ? `${sha.slice(0, 12)} is no longer the head of ${branch} (${head.slice(0, 12)} is)` : `the branch ${branch} is gone` };
  };
}
