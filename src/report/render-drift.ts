/**
 * The drift report as markdown: the body of the environment's drift issue and the check run's
 * text. A table per resource: attribute, value found outside, value applied (desired). Values
 * are already redacted by the report.
 */
import type { DriftReport } from '../plan/drift-report.ts';

export type DriftContext = { app: string; environment: string; commitSha: string; deploymentId: number; heal: boolean; checkedAt: Date; healedBy?: number };

const maxRows = 200;

function cell(value: unknown): string {
  const text = value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
  const clipped = text.length > 120 ? `${text.slice(0, 117)}…` : text;
  return `\`${clipped.replaceAll('`', "'").replaceAll('|', '\\|').replaceAll('\n', ' ')}\``;
}

export function driftTitle(ctx: Pick<DriftContext, 'app' | 'environment'>): string {
  return `Drift: ${ctx.app} (${ctx.environment})`;
}

export function driftSummaryLine(report: DriftReport): string {
  const { resources, attributes } = report.counts;
  return `${resources} resource${resources === 1 ? '' : 's'} and ${attributes} attribute${attributes === 1 ? '' : 's'} differ from what Slipway applied`;
}

export function renderDrift(report: DriftReport, ctx: DriftContext): string {
  const lines = [
    `**${driftSummaryLine(report)}** in \`${ctx.environment}\` of \`${ctx.app}\`, applied from ${ctx.commitSha.slice(0, 12)} (deployment ${ctx.deploymentId}).`,
    '',
    `Checked ${ctx.checkedAt.toISOString().replace(/\.\d+Z$/, 'Z')}. ${
      ctx.healedBy !== undefined
        ? `Healed: deployment ${ctx.healedBy} re-applied the desired state.`
        : ctx.heal
          ? 'Slipway re-applies the desired state (`drift: { heal: true }`).'
          : 'Nothing is changed by Slipway (`drift: { heal: false }`): re-apply with a push or `slipway apply`, or bring the change into paas.yaml.'
    }`,
    '',
  ];
  let rows = 0;
  for (const resource of report.resources) {
    lines.push(`### \`${resource.address}\` — ${resource.action}${resource.seenBy.includes('refresh') ? ' (changed outside Terraform)' : ''}`, '');
    if (resource.attributes.length === 0) {
      lines.push(resource.action === 'create' ? 'Deleted outside Slipway.' : resource.action === 'delete' ? 'Not in the applied configuration.' : 'Changed (no attribute-level detail).', '');
      continue;
    }
    lines.push('| attribute | outside | desired |', '| --- | --- | --- |');
    for (const a of resource.attributes) {
      if (rows++ >= maxRows) break;
      lines.push(`| \`${a.path}\` | ${cell(a.outside)} | ${cell(a.desired)} |`);
    }
    lines.push('');
  }
  if (rows > maxRows) lines.push(`… ${rows - maxRows} more attributes not shown.`);
  return lines.join('\n');
}
