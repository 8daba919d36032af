/** The report: what the rest of Slipway imports. */
export { renderComment } from './render-comment.ts';
export { renderText } from './render-text.ts';
export { renderJson, reportJson } from './render-json.ts';
export { COMMENT_MARKER, findMarker } from './marker.ts';
export { checkMarkdown, isWellFormedMarkdown } from './check-markdown.ts';
export { githubCommentLimit, statefulTypes, summaryLine, totals } from './report-input.ts';
export type { ReportApp, ReportInput } from './report-input.ts';
export { reportEvaluations } from './report-evaluations.ts';
