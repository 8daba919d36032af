// A check run on a commit, with any number of annotations: GitHub takes at most 50 per request, so
// the run is created with the first 50 and updated with the rest, 50 at a time (GitHub appends them).
import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title?: string;
  raw_details?: string;
  /** Only kept when start_line === end_line (GitHub refuses columns across lines). */
  start_column?: number;
  end_column?: number;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

export interface ReportCheckRunInput {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  status: CheckStatus;
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
  detailsUrl?: string;
  externalId?: string;
  /** Update this run instead of creating one. */
  checkRunId?: number;
  /**
   * Buttons on the run (GitHub: at most 3; label ≤ 20 characters, description ≤ 40, identifier ≤ 20).
   * A press arrives as a `check_run` event with action `requested_action`. An empty list removes them.
   */
  actions?: CheckAction[];
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** A reported run: its id, and its page on GitHub (absent when it was only updated). */
export type ReportedCheckRun = { id: number; htmlUrl?: string };

export const ANNOTATIONS_PER_REQUEST = 50;
// GitHub's limit on output.summary and output.text.
const MAX_TEXT = 65_535;

export async function reportCheckRun(octokit: Octokit, input: ReportCheckRunInput): Promise<ReportedCheckRun> {
  const annotations = (input.annotations ?? []).map(cleanAnnotation);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = (batch: CheckAnnotation[] | undefined) => ({
    title: input.title.slice(0, 255),
    summary: clip(input.summary),
    ...(input.text !== undefined ? { text: clip(input.text) } : {}),
    ...(batch && batch.length > 0 ? { annotations: batch } : {}),
  });
  const state = {
    status: input.status,
    ...(input.status === 'completed' || input.conclusion ? { conclusion: input.conclusion ?? 'neutral' } : {}),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    ...(input.externalId ? { external_id: input.externalId } : {}),
    ...(input.actions ? { actions: input.actions.slice(0, 3).map((a) => ({ label: a.label.slice(0, 20), description: a.description.slice(0, 40), identifier: a.identifier.slice(0, 20) })) } : {}),
  };
  const where = `check run "${input.name}" on ${input.owner}/${input.repo}@${input.headSha.slice(0, 12)}`;

  let id = input.checkRunId;
  let htmlUrl: string | undefined;
  if (id === undefined) {
    const created = await withGitHubErrors(`creating ${where}`, () =>
      octokit.rest.checks.create({ owner: input.owner, repo: input.repo, head_sha: input.headSha, name: input.name, ...state, output: output(batches[0]) }),
    );
    id = created.data.id;
    htmlUrl = created.data.html_url ?? undefined;
  } else {
    await withGitHubErrors(`updating ${where}`, () =>
      octokit.rest.checks.update({ owner: input.owner, repo: input.repo, check_run_id: id!, name: input.name, ...state, output: output(batches[0]) }),
    );
  }
  for (const batch of batches.slice(1)) {
    await withGitHubErrors(`adding annotations to ${where}`, () =>
      octokit.rest.checks.update({ owner: input.owner, repo: input.repo, check_run_id: id!, output: output(batch) }),
    );
  }
  return { id, ...(htmlUrl ? { htmlUrl } : {}) };
}

function cleanAnnotation(a: CheckAnnotation): CheckAnnotation {
  const start = Math.max(1, Math.trunc(a.start_line));
  const end = Math.max(start, Math.trunc(a.end_line));
  const clean: CheckAnnotation = { path: a.path, start_line: start, end_line: end, annotation_level: a.annotation_level, message: a.message.slice(0, 64 * 1024) };
  if (a.title !== undefined) clean.title = a.title.slice(0, 255);
  if (a.raw_details !== undefined) clean.raw_details = a.raw_details.slice(0, 64 * 1024);
  if (start === end && a.start_column !== undefined) {
    clean.start_column = a.start_column;
    if (a.end_column !== undefined) clean.end_column = a.end_column;
  }
  return clean;
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 20)}\n\n… (truncated)`;
}
