/**
 * `renderComment`: the pull-request comment, as markdown. Order: marker, one-line summary,
 * warnings, policies, one section per app (table, then details), recommendations, notes, "Built
 * from". GitHub rejects comments over 65,536 characters, so when the full comment is longer, only
 * the contents of the `<details>` blocks are cut (whole items, so fences and tags stay balanced),
 * each cut says what was left out, and the summary, warnings and policies are always whole.
 */
import type { CostDiff } from '../cost/types.ts';
import type { ResourceChange } from '../plan/types.ts';
import type { PolicyResult } from '../policy/types.ts';
import type { RecommendationSummary } from '../recommend/types.ts';
import { code, escapeMarkdown, fence, money, plural, signedMoney } from './format.ts';
import { closedNote, commentHeading, commentStateLine } from './comment-state.ts';
import { COMMENT_MARKER } from './marker.ts';
import { planSourceLine } from './plan-source-line.ts';
import { resourceMarkdown, inferredMarker } from './render-resource.ts';
import {
  actionOrder, countsText, githubCommentLimit, policyCounts, sortPolicies, summaryLine, totals, warningsFor,
  type ReportApp, type ReportInput,
} from './report-input.ts';

export { COMMENT_MARKER, findMarker } from './marker.ts';
export type { ReportApp, ReportInput } from './report-input.ts';

/**
 * The items of a details block, rendered on first use: a 10,000-resource plan renders only the
 * items that fit, not all of them.
 */
class Items {
  private readonly cache: (string | undefined)[];
  constructor(readonly length: number, private readonly render: (index: number) => string) {
    this.cache = new Array(length);
  }
  static of(values: string[]): Items {
    return new Items(values.length, (i) => values[i]);
  }
  get(index: number): string {
    return (this.cache[index] ??= this.render(index));
  }
  slice(count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.get(i));
    return out;
  }
}

type Details = { summary: string; prefix: string; items: Items; separator: string; unit: string };
type Part = string | Details;

export function renderComment(input: ReportInput): string {
  const limit = input.maxLength ?? githubCommentLimit;
  const parts = buildParts(input, Infinity);
  if (fitsWhole(parts, limit)) return assemble(parts, new Map(), false);
  // Warnings are never cut — unless there are so many that, alone, they would make GitHub refuse
  // the comment; then the first ones are listed with the count of the rest.
  for (const most of [Infinity, 200, 50, 10]) {
    const attempt = most === Infinity ? parts : buildParts(input, most);
    const fitted = fit(attempt, limit);
    if (fitted.length <= limit) return fitted;
  }
  return fit(buildParts(input, 0), limit);
}

function buildParts(input: ReportInput, maxWarnings: number): Part[] {
  const t = totals(input.apps);
  const parts: Part[] = [];
  const state = commentStateLine({ final: input.final ?? false, headSha: input.headSha });
  parts.push(`${COMMENT_MARKER}\n${state}\n${commentHeading(input.final ?? false)}\n\n**${summaryLine(t)}**\n`);
  if (input.final) parts.push(`\n_${closedNote}_\n`);
  const warnings = input.apps.flatMap((app) => warningsFor(app).map((w) => ({ app, w })));
  if (warnings.length > 0) {
    const lines = warnings.slice(0, maxWarnings).map(({ app, w }) => {
      const where = `${escapeMarkdown(app.name)}/${escapeMarkdown(app.environment)}`;
      if (!w.address) return `> - ${escapeMarkdown(w.text)} (${where})`;
      const inferred = w.inferred ? ` _${inferredMarker}${w.reason ? ` (${escapeMarkdown(w.reason)})` : ''}._` : '';
      return `> - ${code(w.address)} (${where}) ${w.text}.${inferred}`;
    });
    if (warnings.length > lines.length) lines.push(`> - … and ${warnings.length - lines.length} more: run \`slipway plan --format text\` for all of them.`);
    parts.push(`\n> [!WARNING]\n> **${plural(warnings.length, 'warning')}**\n>\n${lines.join('\n')}\n`);
  }
  if (input.policies && input.policies.length > 0) parts.push(policySection(input.policies));
  for (const app of input.apps) parts.push(...appSection(app));
  if (input.recommendations && input.recommendations.length > 0) {
    const here = input.suggestionsHere ?? { items: input.recommendations.filter((r) => r.suggestion) };
    parts.push(recommendationSection(input.recommendations, here));
  }
  if (input.notes && input.notes.length > 0) parts.push(`\n${input.notes.map((n) => `- ${escapeMarkdown(n)}`).join('\n')}\n`);
  if (input.previews) parts.push(`\n${input.previews}\n`);
  parts.push(`\n<sub>Built from ${code(input.headSha)} by Slipway.</sub>\n`);
  return parts;
}

function appSection(app: ReportApp): Part[] {
  const changed = app.plan.resources.filter((r) => r.action !== 'no-op');
  const unchanged = app.plan.resources.length - changed.length;
  const cost = app.cost;
  const out: Part[] = [];
  const heading = `### ${code(app.name)} · ${escapeMarkdown(app.environment)}`;
  const costLine = `${money(cost.before.monthly)} → ${money(cost.after.monthly)}/month (${signedMoney(cost.delta)})`;
  const source = app.planSource ? `\n_${escapeMarkdown(planSourceLine(app.planSource))}_\n` : '';
  out.push(`\n${heading}\n\n${countsText(app.plan.resources)}${unchanged > 0 ? `, ${unchanged} unchanged` : ''} · ${costLine}\n${source}`);
  out.push(componentTable(app));
  const usage = cost.after.usageBased.length;
  const unpriced = cost.after.unpriced;
  const notes: string[] = [];
  if (usage > 0) notes.push(`**Depends on usage**: ${plural(usage, 'resource')} also ${usage === 1 ? 'has' : 'have'} costs that depend on traffic (requests, data, logs, run time), not included above (marked "+ usage").`);
  if (unpriced.length > 0) {
    const types = [...new Set(cost.after.lines.filter((l) => !l.priced).map((l) => l.type))].sort();
    notes.push(`**Not priced**: ${plural(unpriced.length, 'resource')} (${types.slice(0, 10).map(code).join(', ')}${types.length > 10 ? `, +${types.length - 10} more types` : ''}) are not in the price table and not included above.`);
  }
  if (notes.length > 0) out.push(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const costRows = cost.lines
    .filter((l) => l.delta !== 0 || l.usageBased || l.priced === false)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.address < b.address ? -1 : 1))
    .map((l) => `| ${code(l.address)} | ${money(l.before)} | ${l.priced === false ? 'not priced' : `${money(l.after)}${l.usageBased ? ' + usage' : ''}`} | ${signedMoney(l.delta)} |`);
  if (costRows.length > 0) {
    out.push({
      summary: `Cost by resource (${costRows.length})`,
      prefix: '| Resource | Before | After | Change |\n| --- | ---: | ---: | ---: |\n',
      items: Items.of(costRows),
      separator: '\n',
      unit: 'cost rows',
    });
  }
  if (changed.length > 0) {
    const sorted = [...changed].sort((a, b) => actionOrder[a.action] - actionOrder[b.action] || (a.address < b.address ? -1 : 1));
    out.push({ summary: `Resource changes (${changed.length})`, prefix: '', items: new Items(sorted.length, (i) => resourceMarkdown(sorted[i])), separator: '\n', unit: 'resources' });
  } else {
    out.push('\nNo resource changes.\n');
  }
  return out;
}

function componentTable(app: ReportApp): string {
  const byComponent = new Map<string, ResourceChange[]>();
  for (const r of app.plan.resources) {
    if (r.mode === 'data') continue;
    const key = r.component ?? '(shared)';
    if (!byComponent.has(key)) byComponent.set(key, []);
    byComponent.get(key)!.push(r);
  }
  const costs: NonNullable<CostDiff['byComponent']> = app.cost.byComponent ?? {};
  const names = [...new Set([...byComponent.keys(), ...Object.keys(costs)])].sort((a, b) => (a === '(shared)' ? 1 : b === '(shared)' ? -1 : a < b ? -1 : 1));
  if (names.length === 0) return '';
  const rows = names.map((name) => {
    const resources = byComponent.get(name) ?? [];
    const c = { create: 0, update: 0, replace: 0, delete: 0 } as Record<string, number>;
    for (const r of resources) if (r.action in c) c[r.action]++;
    const changes = [c.create && `${c.create} create`, c.update && `${c.update} update`, c.replace && `${c.replace} replace`, c.delete && `${c.delete} destroy`].filter(Boolean).join(', ') || 'no change';
    const cost = costs[name] ?? { before: 0, after: 0, delta: 0 };
    return `| ${escapeMarkdown(name)} | ${changes} | ${money(cost.before)} | ${money(cost.after)} | ${signedMoney(cost.delta)} |`;
  });
  return `\n| Component | Changes | Before | After | Change |\n| --- | --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`;
}

function policySection(policies: PolicyResult[]): string {
  const sorted = sortPolicies(policies);
  const lines: string[] = [];
  const passed: string[] = [];
  for (const p of sorted) {
    if (p.status === 'pass') {
      passed.push(code(p.ruleId));
      continue;
    }
    const icon = p.status === 'approved' ? '✔️' : p.status === 'error' || p.severity === 'error' ? '❌' : '⚠️';
    const label = p.status === 'approved' ? `approved${p.approvedAt ? ` at ${code(p.approvedAt.slice(0, 12))}` : ''}` : p.status === 'error' ? 'rule could not be evaluated' : p.severity;
    lines.push(`- ${icon} ${code(p.ruleId)} (${label}): ${escapeMarkdown(p.message)}`);
    if (p.resources.length > 0) {
      const shown = p.resources.slice(0, 10).map(code).join(', ');
      lines.push(`  - Resources: ${shown}${p.resources.length > 10 ? ` and ${p.resources.length - 10} more` : ''}`);
    }
    if (p.location) lines.push(`  - At ${code(`${p.location.file}:${p.location.line}:${p.location.column}`)}`);
    if (p.status !== 'approved' && p.remediation) lines.push(`  - Fix: ${escapeMarkdown(p.remediation)}`);
    if (p.status === 'fail' && p.approvable) lines.push(`  - Or approve: comment ${code(`/slipway approve ${p.ruleId}`)}`);
  }
  if (passed.length > 0) lines.push(`- ✅ ${passed.length} passed: ${passed.join(', ')}`);
  return `\n### Policies: ${policyCounts(policies)}\n\n${lines.join('\n')}\n`;
}

function recommendationSection(recs: RecommendationSummary[], here: NonNullable<ReportInput['suggestionsHere']>): string {
  const rows = [...recs]
    .sort((a, b) => b.monthlySaving - a.monthlySaving)
    .map((r) => `| ${escapeMarkdown(`${r.app}/${r.service}`)} | **${escapeMarkdown(r.title)}**: ${escapeMarkdown(r.detail)} | ${r.monthlySaving >= 0 ? money(r.monthlySaving) : `${signedMoney(-r.monthlySaving)} cost`} | ${Math.round(r.confidence * 100)}% |`);
  const table = `\n### Recommendations\n\n| Service | Recommendation | Saving/month | Confidence |\n| --- | --- | ---: | ---: |\n${rows.join('\n')}\n`;
  const items = here.items.filter((r) => r.suggestion);
  if (items.length === 0) return table;
  // Replacement text in full, so a suggestion that is not a review comment is not lost.
  const blocks = items.map((r) => {
    const s = r.suggestion!;
    const end = s.endLine ?? s.line;
    const where = end > s.line ? `lines ${s.line}–${end}` : `line ${s.line}`;
    return `**${escapeMarkdown(r.title)}**: replace ${code(s.file)} ${where} with\n\n${fence('yaml', s.replacement)}\n`;
  });
  const intro = here.reason ? `${escapeMarkdown(here.reason)}; the suggested changes:` : 'Suggested changes:';
  return `${table}\n${intro}\n\n${blocks.join('\n')}`;
}

function cutNote(count: number, unit: string): string {
  return `\n_… ${count} more ${unit} not shown: cut to fit GitHub's 65,536-character comment limit. Run \`slipway plan\` locally for everything._\n`;
}

function renderDetails(d: Details, keep: number | undefined): string {
  const n = keep ?? d.items.length;
  const body = d.items.slice(n).join(d.separator);
  const cut = n < d.items.length ? cutNote(d.items.length - n, d.unit) : '';
  return `\n<details>\n<summary>${escapeMarkdown(d.summary)}</summary>\n\n${d.prefix}${body}${body.endsWith('\n') || body === '' ? '' : '\n'}${cut}\n</details>\n`;
}

function assemble(parts: Part[], keep: Map<Details, number>, cut: boolean): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else out += renderDetails(part, keep.get(part));
    if (cut && typeof part === 'string' && part.startsWith(COMMENT_MARKER)) {
      out += '\n_Some details below were cut to fit GitHub\'s comment size limit._\n';
    }
  }
  return out;
}

/** Whether the whole comment fits, rendering items only until it is clear that it does not. */
function fitsWhole(parts: Part[], limit: number): boolean {
  let length = 0;
  for (const part of parts) {
    if (typeof part === 'string') length += part.length;
    else {
      length += renderDetails({ ...part, items: Items.of([]) }, 0).length;
      for (let i = 0; i < part.items.length && length <= limit; i++) length += part.items.get(i).length + part.separator.length;
    }
    if (length > limit) return false;
  }
  return true;
}

/** Keep whole items of the details blocks, in document order, while the comment fits. */
function fit(parts: Part[], limit: number): string {
  const details = parts.filter((p): p is Details => typeof p !== 'string');
  const keep = new Map<Details, number>(details.map((d) => [d, 0]));
  const skeleton = assemble(parts, keep, true);
  // Every cut note is already in the skeleton (all items removed); the budget is what is left.
  let budget = limit - skeleton.length;
  // Two passes: each block first gets an equal share (so a long cost table cannot crowd out the
  // resource changes), then what is left goes to the blocks in document order.
  const share = Math.max(0, Math.floor(budget / Math.max(1, details.length)));
  for (const pass of [1, 2]) {
    for (const d of details) {
      let n = keep.get(d) ?? 0;
      let allowance = pass === 1 ? Math.min(share, budget) : budget;
      while (n < d.items.length) {
        const cost = d.items.get(n).length + d.separator.length;
        if (cost > allowance) break;
        allowance -= cost;
        budget -= cost;
        n++;
      }
      if (n === d.items.length && (keep.get(d) ?? 0) < n) budget += cutNote(d.items.length, d.unit).length; // its note is gone
      keep.set(d, n);
    }
  }
  const anyCut = () => details.some((d) => (keep.get(d) ?? 0) < d.items.length);
  let out = assemble(parts, keep, anyCut());
  // The notes' digit counts can shift by a few characters: trim whole items until it fits.
  for (let i = details.length - 1; out.length > limit && i >= 0; ) {
    const d = details[i];
    const n = keep.get(d) ?? 0;
    if (n === 0) {
      i--;
      continue;
    }
    keep.set(d, n - 1);
    out = assemble(parts, keep, anyCut());
  }
  return out;
}
