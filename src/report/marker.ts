/**
 * The hidden marker that identifies Slipway's pull-request comment, so each new plan updates the
 * same comment instead of adding one. HTML comments are not shown by GitHub's renderer.
 */
export const COMMENT_MARKER = '<!-- slipway:pr-comment -->';

/** True when a comment body is Slipway's PR comment. */
export function findMarker(body: string | null | undefined): boolean {
  return typeof body === 'string' && body.includes(COMMENT_MARKER);
}
