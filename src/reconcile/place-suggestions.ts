/**
 * Which recommendations' one-click suggestions become review comments on the pull request: those
 * whose whole span of lines lies in one hunk of the PR's diff (GitHub refuses any other line, and a
 * range must not cross hunks). The rest are shown, replacement text included, in the PR comment.
 */
import { withinOneRange } from '../git/index.ts';
import type { ReviewSuggestion } from '../github/index.ts';
import type { RecommendationSummary } from '../recommend/index.ts';
import { fence } from '../report/format.ts';
import type { CommentableLines } from './commentable-lines.ts';

export type SuggestionPlacement = {
  /** Review comments, one per placed recommendation (a range: `startLine`..`line`). */
  inline: ReviewSuggestion[];
  /** Recommendations with a suggestion that is NOT a review comment. */
  inComment: RecommendationSummary[];
};

export function placeSuggestions(recommendations: readonly RecommendationSummary[], lines: CommentableLines): SuggestionPlacement {
  const inline: ReviewSuggestion[] = [];
  const inComment: RecommendationSummary[] = [];
  for (const rec of recommendations) {
    const s = rec.suggestion;
    if (!s) continue;
    const end = s.endLine ?? s.line;
    if (end < s.line || !withinOneRange(lines?.get(s.file) ?? [], s.line, end)) {
      inComment.push(rec);
      continue;
    }
    inline.push({
      path: s.file,
      line: end,
      ...(end > s.line ? { startLine: s.line } : {}),
      body: `**${rec.title}**\n\n${rec.detail}\n\n${fence('suggestion', s.replacement)}`,
    });
  }
  return { inline, inComment };
}

/** "2 suggestions could not be placed inline…", said once wherever it applies. */
export function notInlineSentence(count: number): string {
  return `${count === 1 ? '1 suggestion' : `${count} suggestions`} could not be placed inline because ${count === 1 ? 'its lines are' : 'their lines are'} not part of this pull request's diff`;
}
