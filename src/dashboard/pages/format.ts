/** Small, escaped-by-the-caller formatting for the dashboard's pages. */
import { html } from 'hono/html';

export const shortSha = (sha: string) => sha.slice(0, 7);

export function money(usd: number | null | undefined): string {
  return usd === null || usd === undefined ? '—' : `$${usd.toFixed(2)}`;
}

export function when(date: Date | null | undefined) {
  if (!date) return '—';
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')}</time>`;
}

export function statusBadge(status: string) {
  return html`<span class="status status-${status}">${status}</span>`;
}
