/**
 * The PR comment's state, kept as data in a hidden line of the comment itself (GitHub does not
 * render HTML comments): whether it is final and which head it was built from. A job decides from
 * this data, never from the rendered markdown, and finishing a comment re-renders its heading from
 * it. Layout (renderComment writes it so): the marker line, the state line, the heading, the rest.
 */
import { COMMENT_MARKER } from './marker.ts';

export type CommentState = { final: boolean; headSha: string };

const statePrefix = '<!-- slipway:pr-comment-state ';
const stateSuffix = ' -->';

export function commentStateLine(state: CommentState): string {
  // JSON of a boolean and a hex sha: it can never hold the `-->` that would end the HTML comment.
  return `${statePrefix}${JSON.stringify({ final: state.final, headSha: state.headSha })}${stateSuffix}`;
}

export function commentHeading(final: boolean): string {
  return `## Slipway plan${final ? ' (final)' : ''}`;
}

export const closedNote = 'This pull request is closed: this is the last plan Slipway made for it.';

/** The state a comment body carries; undefined for a comment without one (an older version's). */
export function readCommentState(body: string): CommentState | undefined {
  const line = body.split('\n').find((l) => l.startsWith(statePrefix) && l.endsWith(stateSuffix));
  if (!line) return undefined;
  try {
    const value = JSON.parse(line.slice(statePrefix.length, -stateSuffix.length)) as Partial<CommentState>;
    return typeof value.final === 'boolean' && typeof value.headSha === 'string' ? { final: value.final, headSha: value.headSha } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The comment made final without a new plan (the head can no longer be fetched): its state and
 * heading re-rendered, `note` said under the heading, everything else kept as it was.
 */
export function finishedCommentBody(body: string, note: string): string {
  const lines = body.split('\n');
  const at = lines.findIndex((l) => l.startsWith(statePrefix));
  const state = readCommentState(body);
  if (at < 0 || !state) {
    // A comment from before the state line: its layout is not known, so the note goes at the end.
    return `${COMMENT_MARKER}\n${commentStateLine({ final: true, headSha: '' })}\n${lines.filter((l) => l !== COMMENT_MARKER).join('\n')}\n\n_${note}_\n`;
  }
  return [...lines.slice(0, at), commentStateLine({ ...state, final: true }), commentHeading(true), '', `_${note}_`, ...lines.slice(at + 2)].join('\n');
}
