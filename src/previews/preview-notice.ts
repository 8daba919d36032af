/**
 * What happened to a preview outside a push to its pull request — the tick destroyed it (TTL), a
 * newer preview took its place (previews.maxOpen), a destroy failed or finished — said on the pull
 * request: the living comment's previews part re-rendered from the store, and for the events a
 * person should hear of, a comment of their own.
 */
import type { Deps } from '../deps.ts';
import { findMarkedComment, upsertPrComment } from '../github/index.ts';
import { commentMarker } from '../reconcile/publish-pull-request.ts';
import { renderPreviewSection, withPreviewSection } from '../report/preview-section.ts';
import { previewViews } from './preview-views.ts';

export type PullRequestWhere = { repository: string; installationId: number; pullRequest: number };

export async function postPreviewNotice(deps: Pick<Deps, 'github'>, where: PullRequestWhere, body: string): Promise<void> {
  const [owner, repo] = where.repository.split('/') as [string, string];
  const octokit = await deps.github.octokit(where.installationId);
  await octokit.rest.issues.createComment({ owner, repo, issue_number: where.pullRequest, body });
}

export async function refreshPreviewSection(deps: Pick<Deps, 'github' | 'store' | 'now'>, where: PullRequestWhere & { repositoryId: number }): Promise<void> {
  const [owner, repo] = where.repository.split('/') as [string, string];
  const octokit = await deps.github.octokit(where.installationId);
  const target = { owner, repo, issueNumber: where.pullRequest, marker: commentMarker };
  const existing = await findMarkedComment(octokit, target);
  if (!existing) return;
  const section = renderPreviewSection(await previewViews(deps.store.db, where, deps.now()));
  const body = withPreviewSection(existing.body, section);
  if (body !== existing.body) await upsertPrComment(octokit, { ...target, body });
}
