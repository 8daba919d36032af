/** `renderText`: the same report for a terminal: plain text, nothing cut, no markdown. */
import { scrubSecrets } from '../plan/sensitive.ts';
import { money, signedMoney } from './format.ts';
import { planSourceLine } from './plan-source-line.ts';
import { resourceText, inferredMarker } from './render-resource.ts';
import { actionOrder, countsText, policyCounts, sortPolicies, summaryLine, totals, warningsFor, type ReportInput } from './report-input.ts';

export function renderText(input: ReportInput): string {
  const t = totals(input.apps);
  const out: string[] = [`Slipway plan${input.final ? ' (final)' : ''}: ${summaryLine(t)}`];
  const warnings = input.apps.flatMap((app) => warningsFor(app).map((w) => ({ app, w })));
  if (warnings.length > 0) {
    out.push('', 'Warnings:');
    for (const { app, w } of warnings) {
      const text = w.text.replaceAll('**', '');
      out.push(`  ! ${w.address ? `${w.address} (${app.name}/${app.environment}) ${text}.` : `${text} (${app.name}/${app.environment})`}${w.inferred ? ` [${inferredMarker}${w.reason ? `: ${w.reason}` : ''}]` : ''}`);
    }
  }
  if (input.policies && input.policies.length > 0) {
    out.push('', `Policies: ${policyCounts(input.policies)}`);
    for (const p of sortPolicies(input.policies)) {
      if (p.status === 'pass') continue;
      const tag = p.status === 'approved' ? 'approved' : p.status === 'error' ? 'error' : p.severity;
      out.push(`  [${tag}] ${p.ruleId}: ${p.message}`);
      if (p.resources.length > 0) out.push(`      resources: ${p.resources.join(', ')}`);
      if (p.status !== 'approved' && p.remediation) out.push(`      fix: ${p.remediation}`);
    }
  }
  for (const app of input.apps) {
    const cost = app.cost;
    out.push('', `${app.name} · ${app.environment}: ${countsText(app.plan.resources)} · ${money(cost.before.monthly)} → ${money(cost.after.monthly)}/month (${signedMoney(cost.delta)})`);
    if (app.planSource) out.push(`  ${planSourceLine(app.planSource)}`);
    const changed = app.plan.resources.filter((r) => r.action !== 'no-op').sort((a, b) => actionOrder[a.action] - actionOrder[b.action] || (a.address < b.address ? -1 : 1));
    for (const r of changed) out.push(...resourceText(r));
    const rows = cost.lines
      .filter((l) => l.delta !== 0 || l.usageBased || l.priced === false)
      .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.address < b.address ? -1 : 1));
    if (rows.length > 0) {
      out.push('', '  Cost (monthly)            before       after      change');
      for (const l of rows) {
        const after = l.priced === false ? 'not priced' : `${money(l.after)}${l.usageBased ? ' + usage' : ''}`;
        out.push(`  ${l.address}\n      ${money(l.before).padStart(12)} ${after.padStart(18)} ${signedMoney(l.delta).padStart(11)}`);
      }
    }
    if (cost.after.usageBased.length > 0) out.push(`  Depends on usage (not included): ${cost.after.usageBased.join(', ')}`);
    if (cost.after.unpriced.length > 0) out.push(`  Not priced (not included): ${cost.after.unpriced.join(', ')}`);
  }
  if (input.recommendations && input.recommendations.length > 0) {
    out.push('', 'Recommendations:');
    for (const r of input.recommendations) out.push(`  ${r.app}/${r.service}: ${r.title} (${money(r.monthlySaving)}/month, ${Math.round(r.confidence * 100)}% confidence): ${r.detail}`);
  }
  for (const note of input.notes ?? []) out.push(`Note: ${note}`);
  out.push('', `Built from ${input.headSha}`);
  // Policy messages and notes may quote values: scrub anything credential-shaped.
  return `${scrubSecrets(out.join('\n'))}\n`;
}
