/** The dashboard's home: every app × environment the person may see, and the App's installations. */
import { html } from 'hono/html';
import type { AppEnvironmentRow } from '../../store/app-environment-overview.ts';
import type { EnvironmentDrift } from '../../store/environment-drift.ts';
import type { InstallationOverview } from '../../store/installation-overview.ts';
import type { Session } from '../session.ts';
import { dashboardPage } from './frame.ts';
import { money, shortSha, statusBadge, when } from './format.ts';

export const overviewPageSize = 200;

/**
 * `rows`: the page `page` (from 1) of `total` environments, `overviewPageSize` a page; `drift`: the
 * last drift check of each (by environment id); `githubUrl`: GitHub's web address, for the drift issues.
 */
export function overviewPage(input: { session: Session; rows: AppEnvironmentRow[]; total: number; page: number; installations: InstallationOverview[]; drift?: ReadonlyMap<number, EnvironmentDrift>; githubUrl?: string; now?: number }) {
  const pages = Math.max(1, Math.ceil(input.total / overviewPageSize));
  const pageNumber = Math.min(Math.max(1, input.page), pages);
  const shown = input.rows;
  const cost = shown.reduce((sum, r) => sum + (r.applied?.monthlyCostUsd ?? 0), 0);
  const drifted = shown.filter((r) => input.drift?.get(r.environmentId)?.status === 'drifted').length;
  const now = input.now ?? Date.now();
  const failing = shown.filter((r) => r.latest && (r.latest.status === 'failed' || r.latest.status === 'interrupted')).length;
  const body = html`<h1>Apps and environments</h1>
<p>${input.total} environments${pages > 1 ? html`; on this page: ${shown.length}` : ''} · ${failing} failing · ${drifted} drifted · ${money(cost)} a month applied</p>
${
  input.total === 0
    ? html`<p>No app has been deployed yet. Push a <code>paas.yaml</code> to a repository the App is installed on.</p>`
    : html`<table><caption>Environments${pages > 1 ? html`, page ${pageNumber} of ${pages}` : ''}</caption>
<thead><tr><th scope="col">App</th><th scope="col">Repository</th><th scope="col">Environment</th><th scope="col">Status</th><th scope="col">Applied</th><th scope="col">Cost/month</th><th scope="col">Last deploy</th><th scope="col">Drift</th></tr></thead>
<tbody>${shown.map((r) => row(r, driftCell(r, input.drift?.get(r.environmentId), input.githubUrl, now)))}</tbody></table>
${pages > 1 ? html`<nav aria-label="Pages"><p>${pageNumber > 1 ? html`<a href="/dashboard?page=${pageNumber - 1}">Previous page</a> ` : ''}${pageNumber < pages ? html`<a href="/dashboard?page=${pageNumber + 1}">Next page</a>` : ''}</p></nav>` : ''}`
}
<h2>Installations</h2>
${
  input.installations.length === 0
    ? html`<p>The App is not installed on any repository you can see.</p>`
    : html`<ul>${input.installations.map((i) => html`<li><strong>${i.account}</strong>${i.suspended ? ' (suspended)' : ''}: ${i.repositories.length === 0 ? 'no repositories' : i.repositories.map((r) => r.fullName).join(', ')}</li>`)}</ul>`
}`;
  return dashboardPage({ title: 'Apps', session: input.session, body });
}

// One row per environment, kept short: 1,000 apps fit the page-weight budget (bench/dashboard.bench.ts).
function row(r: AppEnvironmentRow, drift: ReturnType<typeof driftCell>) {
  const latest = r.latest;
  return html`<tr><td><a href="/dashboard/apps/${r.appId}">${r.app}</a></td><td>${r.repository}</td><td>${r.environment}</td><td>${latest ? html`<a href="/dashboard/deployments/${latest.id}">${statusBadge(latest.status)}</a>` : '—'}</td><td>${r.applied ? html`<code>${shortSha(r.applied.commitSha)}</code>` : '—'}</td><td>${money(r.applied?.monthlyCostUsd)}</td><td>${when(latest?.createdAt)}</td><td>${drift}</td></tr>`;
}

/**
 * "in sync · checked 2h ago", "drifted: 2 resources, 3 attributes · checked 5m ago" (a link to the
 * drift issue on GitHub when there is one, else to the app page's drift section), "check failed", or "—" (never checked, or checks off).
 */
function driftCell(r: AppEnvironmentRow, d: EnvironmentDrift | undefined, githubUrl: string | undefined, now: number) {
  if (!d || (!d.measured && d.status === 'clean')) return d && d.everyMinutes === null ? html`<span class="drift drift-off">checks off</span>` : '—';
  const checked = html`<time datetime="${d.checkedAt.toISOString()}" title="${d.checkedAt.toISOString()}">checked ${ago(now - d.checkedAt.getTime())}</time>`;
  if (d.status === 'clean') return html`<span class="drift drift-clean">in sync</span> · ${checked}`;
  if (d.status === 'error') return html`<span class="drift drift-error" title="${d.error ?? ''}">check failed</span> · ${checked}`;
  const what = `drifted: ${plural(d.resources, 'resource')}, ${plural(d.attributes, 'attribute')}`;
  const label =
    d.issueNumber !== null && githubUrl
      ? html`<a class="drift drift-drifted" href="${githubUrl.replace(/\/+$/, '')}/${r.repository}/issues/${d.issueNumber}">${what}</a>`
      : html`<a class="drift drift-drifted" href="/dashboard/apps/${r.appId}#drift">${what}</a>`;
  return html`${label} · ${checked}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "just now", "5m ago", "2h ago", "3d ago". */
export function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.floor(hours / 24)}d ago`;
}
