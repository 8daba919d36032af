/** The HTML comment that marks a comment as ours; invisible once GitHub renders the markdown. */
export function hiddenMarker(marker: string): string {
  return marker.startsWith('<!--') ? marker : `<!-- ${marker} -->`;
}

/** The body with the marker on its first line (added when missing). */
export function withMarker(body: string, marker: string): string {
  const hidden = hiddenMarker(marker);
  return body.includes(hidden) ? body : `${hidden}\n${body}`;
}

/** Ours: written by a bot (an app) and carrying the marker; someone quoting the marker is not us. */
export function isMarked(comment: { body?: string | null; user?: { type?: string } | null }, marker: string): boolean {
  return (comment.user?.type ?? '') === 'Bot' && (comment.body ?? '').includes(hiddenMarker(marker));
}
