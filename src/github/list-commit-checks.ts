/**
 * What a commit's checks say: its check runs (newest first per name, as GitHub lists them) and its
 * commit statuses (the newest per context, from the combined status). Both APIs, because CI posts
 * either: GitHub Actions makes check runs, older CI systems post statuses.
 */
import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export type CommitCheck = {
  name: string;
  kind: 'check_run' | 'status';
  /** `pending` until it completes; then `success`, or what it ended as (`failure`, `cancelled`, `timed_out`, `error`…). */
  state: string;
};

export async function listCommitChecks(octokit: Octokit, owner: string, repo: string, sha: string): Promise<CommitCheck[]> {
  const where = `${owner}/${repo}@${sha.slice(0, 12)}`;
  const runs = await withGitHubErrors(`listing the check runs of ${where}`, () =>
    octokit.paginate(octokit.rest.checks.listForRef, { owner, repo, ref: sha, filter: 'latest', per_page: 100 }),
  );
  const combined = await withGitHubErrors(`reading the combined status of ${where}`, () => octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 }));
  const checks: CommitCheck[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.name)) continue;
    seen.add(run.name);
    checks.push({ name: run.name, kind: 'check_run', state: run.status === 'completed' ? (run.conclusion ?? 'neutral') : 'pending' });
  }
  for (const status of combined.data.statuses) checks.push({ name: status.context, kind: 'status', state: status.state });
  return checks;
}
