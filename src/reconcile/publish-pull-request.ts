/**
 * Report a pull request's evaluation: ONE comment (found by its hidden marker, edited in place,
 * showing the head sha it was built from) and the `slipway` check run on the head commit.
 */
import { formatConfigError } from '../config/load.ts';
import { replaceReviewSuggestions, reportCheckRun, upsertPrComment } from '../github/index.ts';
import { renderComment } from '../report/render-comment.ts';
import { checkRunName, pushCheck } from './check-run-output.ts';
import type { PullRequestEvaluation } from './evaluate-pull-request.ts';
import type { RepositoryContext } from './repository-context.ts';

export const commentMarker = 'slipway:pr-comment';
export const suggestionMarker = 'slipway:suggestion';

export async function publishPullRequest(
  repo: RepositoryContext,
  evaluation: PullRequestEvaluation,
  options: { final?: boolean } = {},
): Promise<{ commentId: number; created: boolean }> {
  const { pr, plans, configErrors } = evaluation;
  const notes = [...evaluation.notes, ...configErrors.map((e) => `Config error: ${formatConfigError(e)}`), ...plans.flatMap((p) => p.notes)];
  if (pr.fork) notes.push('This pull request comes from a fork: its files were read as data, without credentials.');
  const body = renderComment({
    apps: plans.map((p) => ({ name: p.app.config.name, environment: p.environment, plan: p.plan, cost: p.costDiff })),
    headSha: pr.headSha,
    policies: evaluation.policies,
    recommendations: evaluation.recommendations,
    final: options.final ?? false,
    notes,
  });
  const comment = await upsertPrComment(repo.octokit, { owner: repo.owner, repo: repo.repo, issueNumber: pr.number, body, marker: commentMarker });
  if (!options.final) {
    // One-click suggestions on the paas.yaml lines, replacing (not adding to) the previous ones.
    // Single-line suggestions only: the review API call used here anchors a comment on one line,
    // and a multi-line replacement anchored on one line would be applied wrongly.
    const suggestions = evaluation.recommendations.filter((r) => r.suggestion && (r.suggestion.endLine ?? r.suggestion.line) === r.suggestion.line);
    if (suggestions.length > 0 || evaluation.recommendations.length > 0) {
      await replaceReviewSuggestions(repo.octokit, {
        owner: repo.owner,
        repo: repo.repo,
        pullNumber: pr.number,
        commitId: pr.headSha,
        marker: suggestionMarker,
        body: `Slipway recommendations for ${pr.headSha.slice(0, 12)} (from this service's metrics)`,
        comments: suggestions.map((r) => ({ path: r.suggestion!.file, line: r.suggestion!.line, body: `**${r.title}**\n\n${r.detail}\n\n\`\`\`suggestion\n${r.suggestion!.replacement}\n\`\`\`` })),
      });
    }
    const check = pushCheck({ sha: pr.headSha, plans, unchanged: [], configErrors, note: 'Pull request: planned against production, nothing recorded or applied.' });
    await reportCheckRun(repo.octokit, {
      owner: repo.owner,
      repo: repo.repo,
      headSha: pr.headSha,
      name: checkRunName,
      status: 'completed',
      conclusion: check.conclusion,
      title: check.title.replace(/; not applied \(no Terraform runner\)$/, ' (pull request: plan only)'),
      summary: check.summary,
      annotations: check.annotations,
    });
  }
  return { commentId: comment.id, created: comment.created };
}
