// One GitHub issue kept up to date by Slipway (e.g. the drift of an app's environment): created
// when there is none, edited in place after, closed when its subject is gone. The caller keeps
// the issue number; an issue deleted or moved meanwhile (404, 410) is opened anew.
import type { Octokit } from 'octokit';
import { GitHubError, withGitHubErrors } from './github-error.ts';

export interface UpsertIssueInput {
  owner: string;
  repo: string;
  /** The issue Slipway opened before, if any. */
  number?: number | null;
  title: string;
  body: string;
  labels?: string[];
}

// GitHub's limit on an issue body.
const maxBody = 65_536;

export async function upsertIssue(octokit: Octokit, input: UpsertIssueInput): Promise<number> {
  const body = input.body.length > maxBody ? `${input.body.slice(0, maxBody - 40)}\n\n… (cut to GitHub's size limit)` : input.body;
  const where = `issue "${input.title}" on ${input.owner}/${input.repo}`;
  if (input.number) {
    try {
      await withGitHubErrors(where, () =>
        octokit.rest.issues.update({ owner: input.owner, repo: input.repo, issue_number: input.number!, title: input.title, body, state: 'open' }),
      );
      return input.number;
    } catch (error) {
      if (!(error instanceof GitHubError && (error.status === 404 || error.status === 410))) throw error;
    }
  }
  const { data } = await withGitHubErrors(where, () =>
    octokit.rest.issues.create({ owner: input.owner, repo: input.repo, title: input.title, body, ...(input.labels ? { labels: input.labels } : {}) }),
  );
  return data.number;
}

/** Close the issue with a last word (as completed); one already gone is left alone. */
export async function closeIssue(octokit: Octokit, input: { owner: string; repo: string; number: number; body: string }): Promise<void> {
  try {
    await withGitHubErrors(`closing issue #${input.number} on ${input.owner}/${input.repo}`, () =>
      octokit.rest.issues.update({ owner: input.owner, repo: input.repo, issue_number: input.number, body: input.body, state: 'closed', state_reason: 'completed' }),
    );
  } catch (error) {
    if (!(error instanceof GitHubError && (error.status === 404 || error.status === 410))) throw error;
  }
}
