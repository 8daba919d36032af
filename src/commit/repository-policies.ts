/**
 * The rules a push is judged by: the built-in packs, the server's (`SLIPWAY_POLICY_DIR`) and the
 * repository's own policy files at the pushed commit (on the default branch: its rules are the
 * repository's to set). Files with errors are reported in `errors`; their rules are not applied.
 */
import type { Deps } from '../deps.ts';
import { builtinRules, combinePolicies, loadPolicyFiles, type PolicySet } from '../policy/index.ts';
import { policyFilesAtCommit } from './read-commit.ts';

export async function repositoryPolicies(deps: Pick<Deps, 'git' | 'serverPolicies'>, repoKey: string, sha: string): Promise<PolicySet> {
  const repository = loadPolicyFiles(await policyFilesAtCommit(deps.git, repoKey, sha), 'repo');
  return combinePolicies({ builtin: builtinRules(), server: deps.serverPolicies, repository });
}
