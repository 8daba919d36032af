/** An app: its deployments across environments, the cost over time, its drift, and its recommendations. */
import { html } from 'hono/html';
import type { AppDeploymentRow } from '../../store/deployment-view.ts';
import type { AppEnvironmentDrift } from '../../store/environment-drift.ts';
import type { Recommendation } from '../../store/schema.ts';
import type { Session } from '../session.ts';
import { dashboardPage } from './frame.ts';
import { money, shortSha, statusBadge, when } from './format.ts';
import { metricChart, type MetricChartInput } from './metric-chart.ts';

export function appPage(input: { session: Session; app: { id: number; name: string }; repository: string; deployments: AppDeploymentRow[]; recommendations: Recommendation[]; charts: MetricChartInput[]; drift?: AppEnvironmentDrift[]; githubUrl?: string }) {
  const body = html`<p><a href="/dashboard">Apps</a></p>
<h1>${input.app.name} <span class="muted">(${input.repository})</span></h1>
<h2>Cost over time</h2>
${costChart(input.deployments)}
<h2>Deployments</h2>
${
  input.deployments.length === 0
    ? html`<p>No deployments yet.</p>`
    : html`<table><caption>Newest first</caption><thead><tr><th scope="col">Deployment</th><th scope="col">Environment</th><th scope="col">Status</th><th scope="col">Commit</th><th scope="col">Cost/month</th><th scope="col">Created</th></tr></thead>
<tbody>${input.deployments.map((d) => html`<tr><td><a href="/dashboard/deployments/${d.id}">#${d.id}</a></td><td>${d.environment}</td><td>${statusBadge(d.status)}</td><td><code>${shortSha(d.commitSha)}</code></td><td>${money(d.monthlyCostUsd)}</td><td>${when(d.createdAt)}</td></tr>`)}</tbody></table>`
}
${input.drift?.length ? driftSection(input.drift, input.repository, input.githubUrl) : ''}
<h2>Recommendations</h2>
${input.charts.map(metricChart)}
${
  input.recommendations.length === 0
    ? html`<p>No recommendations yet: they come from recorded metrics (see docs/recommendations.md).</p>`
    : html`<table><caption>Proposed sizes and replica counts, newest first</caption><thead><tr><th scope="col">Service</th><th scope="col">Environment</th><th scope="col">Kind</th><th scope="col">Proposal</th><th scope="col">Saving/month</th><th scope="col">Status</th><th scope="col">Proposed</th></tr></thead>
<tbody>${input.recommendations.map((r) => html`<tr><td>${r.service}</td><td>${r.environment}</td><td>${r.kind}</td><td>${proposal(r.body)}</td><td>${money(r.monthlySaving)}</td><td>${r.status}</td><td>${when(r.createdAt)}${r.pullRequest ? html` (PR #${r.pullRequest})` : ''}</td></tr>`)}</tbody></table>`
}`;
  return dashboardPage({ title: input.app.name, session: input.session, body });
}

/**
 * What differs in each drifted environment, as the last drift check found it: the value found
 * outside Slipway and the one it applied. The values are as stored, masked by the drift check
 * (sensitive and secret-like attributes, known secrets); long ones are cut.
 */
function driftSection(drift: AppEnvironmentDrift[], repository: string, githubUrl: string | undefined) {
  const value = (v: unknown) => {
    const text = v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  };
  return html`<h2 id="drift">Drift</h2>
${drift.map(
  (d) => html`<table><caption>${d.environment}: drifted, checked ${when(d.checkedAt)}${d.issueNumber !== null && githubUrl ? html` (<a href="${githubUrl.replace(/\/+$/, '')}/${repository}/issues/${d.issueNumber}">issue #${d.issueNumber}</a>)` : ''}</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Applying would</th><th scope="col">Attribute</th><th scope="col">Found</th><th scope="col">Applied</th></tr></thead>
<tbody>${d.resources.flatMap((r) =>
    (r.attributes.length ? r.attributes : [undefined]).map(
      (a) => html`<tr><td><code>${r.address}</code></td><td>${r.action}</td><td>${a ? html`<code>${a.path}</code>` : '—'}</td><td>${a ? html`<code>${value(a.outside)}</code>` : '—'}</td><td>${a ? html`<code>${value(a.desired)}</code>` : '—'}</td></tr>`,
    ),
  )}</tbody></table>`,
)}`;
}

/**
 * The proposal as the engine worded it for the PR comment (`summary.title`, `summary.detail`: the
 * evidence, percentiles and margin) when the body holds one; otherwise its plain fields. Shown,
 * never parsed for meaning.
 */
function proposal(body: Record<string, unknown>) {
  const summary = body.summary as { title?: unknown; detail?: unknown } | undefined;
  if (summary && typeof summary.title === 'string') {
    return html`${summary.title}${typeof summary.detail === 'string' ? html`<br><span class="muted">${summary.detail}</span>` : ''}`;
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === null || typeof value === 'object') continue;
    parts.push(`${key}: ${String(value)}`);
    if (parts.length === 6) break;
  }
  return parts.join(', ');
}

/**
 * An SVG line of each deployment's monthly cost, oldest to newest, in the environment with the
 * most costed deployments (production, usually), with the numbers as a text alternative.
 */
function costChart(deployments: AppDeploymentRow[]) {
  const costed = deployments.filter((d) => d.monthlyCostUsd !== null);
  const counts = new Map<string, number>();
  for (const d of costed) counts.set(d.environment, (counts.get(d.environment) ?? 0) + 1);
  const environment = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] === 'production' ? -1 : b[0] === 'production' ? 1 : 0))[0]?.[0];
  const points = costed.filter((d) => d.environment === environment).reverse();
  if (points.length < 2) return html`<p>Not enough costed deployments for a chart.</p>`;
  const max = Math.max(...points.map((p) => p.monthlyCostUsd!), 1);
  const w = 600;
  const h = 120;
  const xy = points.map((p, i) => `${Math.round((i / (points.length - 1)) * (w - 20)) + 10},${Math.round(h - 10 - (p.monthlyCostUsd! / max) * (h - 20))}`).join(' ');
  const description = `Monthly cost per deployment to ${environment}, from ${money(points[0]!.monthlyCostUsd)} to ${money(points.at(-1)!.monthlyCostUsd)}, highest ${money(max)}.`;
  return html`<figure><svg role="img" aria-labelledby="cost-title" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><title id="cost-title">${description}</title><polyline fill="none" stroke="#0550ae" stroke-width="2" points="${xy}"/></svg><figcaption class="muted">${description}</figcaption></figure>`;
}
