/** The `slipway` check run on a commit, completed with what the job found (check-run-output.ts). */
import { reportCheckRun, type CheckAction } from '../github/index.ts';
import { checkRunName, type CheckOutput } from './check-run-output.ts';
import type { RepositoryContext } from './repository-context.ts';

export async function publishCheckRun(repo: RepositoryContext, sha: string, check: CheckOutput, actions?: CheckAction[]): Promise<void> {
  await reportCheckRun(repo.octokit, {
    owner: repo.owner,
    repo: repo.repo,
    headSha: sha,
    name: checkRunName,
    status: 'completed',
    conclusion: check.conclusion,
    title: check.title,
    summary: check.summary,
    annotations: check.annotations,
    ...(actions ? { actions } : {}),
  });
}
