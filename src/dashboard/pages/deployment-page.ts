/**
 * One deployment: where it goes, its plan, cost, policy results, failure, history and log. While it
 * runs, the log follows (a small script polling for new chunks; without JavaScript the page
 * reloads every 5 s). Apply and Rollback appear only for people who can push to the repository.
 */
import { html, raw } from 'hono/html';
import { isFinished } from '../../store/deployment-lifecycle.ts';
import type { DeploymentView } from '../../store/deployment-view.ts';
import type { Session } from '../session.ts';
import { dashboardPage } from './frame.ts';
import { money, statusBadge, when } from './format.ts';

export type DeploymentActions = { apply: boolean; rollback: boolean };

export function deploymentPage(input: { session: Session; deployment: DeploymentView; actions: DeploymentActions; notice?: string }) {
  const d = input.deployment;
  const finished = isFinished(d.status);
  const lastLogId = d.log.at(-1)?.id ?? 0;
  const summary = d.planSummary;
  const body = html`<p><a href="/dashboard">Apps</a> › <a href="/dashboard/apps/${d.appId}">${d.app}</a></p>
<h1>Deployment ${d.id}: ${d.app} to ${d.environment}</h1>
${input.notice ? html`<p role="status" class="muted">${input.notice}</p>` : ''}
<dl>
<dt>Status</dt><dd id="status">${statusBadge(d.status)}</dd>
<dt>Repository</dt><dd>${d.repository}</dd>
<dt>Commit</dt><dd><code>${d.commitSha}</code> (${d.trigger})</dd>
<dt>Monthly cost</dt><dd>${money(d.monthlyCostUsd)}</dd>
<dt>Created</dt><dd>${when(d.createdAt)}</dd>
<dt>Finished</dt><dd>${when(d.finishedAt)}</dd>
</dl>
${
  input.actions.apply || input.actions.rollback
    ? html`<form method="post" action="/dashboard/deployments/${d.id}/${input.actions.apply ? 'apply' : 'rollback'}"><input type="hidden" name="csrf" value="${input.session.csrf}"><button type="submit">${input.actions.apply ? 'Apply' : 'Rollback to this deployment'}</button></form>`
    : ''
}
<h2>Plan</h2>
${
  summary
    ? html`<p>${Object.entries(summary.counts).map(([action, n]) => `${n} to ${action}`).join(', ') || 'no changes'}</p>
${summary.changed.length > 0 ? html`<ul>${summary.changed.map((c) => html`<li><code>${c}</code></li>`)}</ul>` : ''}`
    : html`<p>Not planned yet.</p>`
}
<h2>Policies</h2>
${
  summary?.policies?.length
    ? html`<table><caption>Policy results that did not pass</caption><thead><tr><th scope="col">Rule</th><th scope="col">Result</th><th scope="col">Severity</th></tr></thead><tbody>${summary.policies.map((p) => html`<tr><td>${p.ruleId}</td><td>${p.status}</td><td>${p.severity}</td></tr>`)}</tbody></table>`
    : html`<p>Every policy passed${summary ? '' : ' (or none was evaluated yet)'}.</p>`
}
${d.failure ? html`<h2>Failure</h2><p class="error">${d.failure.step}: ${d.failure.message}${d.failure.address ? html` (<code>${d.failure.address}</code>)` : ''}</p>` : ''}
<h2>History</h2>
<table><caption>Status changes</caption><thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">By</th><th scope="col">Why</th></tr></thead>
<tbody>${d.history.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.status}</td><td>${e.actor}</td><td>${e.reason ?? ''}</td></tr>`)}</tbody></table>
<h2 id="log-heading">Log</h2>
<pre id="log" role="log" aria-labelledby="log-heading" tabindex="0" data-deployment="${d.id}" data-after="${lastLogId}" data-finished="${finished ? 'yes' : 'no'}">${d.log.map((c) => c.text).join('') || (finished ? 'No output.' : '')}</pre>`;
  const head = finished ? undefined : html`<script src="/dashboard/assets/live-log.js" defer></script><noscript><meta http-equiv="refresh" content="5"></noscript>`;
  return dashboardPage({ title: `Deployment ${d.id}`, session: input.session, body, ...(head ? { head } : {}) });
}

/**
 * Polls the log of a running deployment and appends what is new. The runner writes its last lines
 * (and flushes its buffer) just after the final status: once finished, it keeps asking until a
 * poll brings nothing new.
 */
export const liveLogScript = raw(`(() => {
  const log = document.getElementById('log');
  if (!log || log.dataset.finished === 'yes') return;
  const status = document.getElementById('status');
  let ended = false;
  const poll = async () => {
    const response = await fetch('/dashboard/deployments/' + log.dataset.deployment + '/log?after=' + log.dataset.after, { headers: { accept: 'application/json' } });
    if (!response.ok) return setTimeout(poll, 5000);
    const next = await response.json();
    if (next.text) log.append(document.createTextNode(next.text));
    log.dataset.after = String(next.after);
    if (status && status.textContent !== next.status) {
      status.replaceChildren(Object.assign(document.createElement('span'), { className: 'status status-' + next.status, textContent: next.status }));
    }
    if (ended && !next.text) {
      log.dataset.finished = 'yes';
      return;
    }
    ended = next.finished;
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
`);
