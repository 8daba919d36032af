/** One resource change as a markdown block (inside the details) or as terminal lines. */
import type { AttributeChange, ResourceChange } from '../plan/types.ts';
import { code, escapeMarkdown, fence, showValue } from './format.ts';
import { actionLabel, actionSymbol } from './report-input.ts';

/** Attribute lines shown per resource; the rest is counted. */
export const maxAttributeLines = 40;

export const inferredMarker = 'replace inferred by Slipway, not reported by Terraform';

export function resourceHeadline(r: ResourceChange): string {
  const parts = [`**${actionSymbol[r.action]} ${actionLabel[r.action]}** ${code(r.address)}`];
  if (r.component) parts.push(`· ${escapeMarkdown(r.component)}`);
  let line = parts.join(' ');
  if (r.action === 'replace' && r.replaceInferred) line += ` — _${inferredMarker}${r.reason ? `: ${escapeMarkdown(r.reason)}` : ''}_`;
  else if (r.reason) line += ` — _${escapeMarkdown(r.reason)}_`;
  return line;
}

/** `+ path = value`, `- path = old` / `+ path = new`, with `(sensitive)` and `(known after apply)`. */
export function attributeLines(r: ResourceChange, max = maxAttributeLines): string[] {
  const lines: string[] = [];
  const shown = r.changes.slice(0, max);
  for (const c of shown) lines.push(...changeLines(r, c));
  if (r.changes.length > shown.length) lines.push(`# … ${r.changes.length - shown.length} more attribute changes`);
  return lines;
}

function value(c: AttributeChange, side: 'before' | 'after'): string {
  if (side === 'after' && c.unknownAfter) return '(known after apply)';
  const v = c[side];
  if (c.sensitive && v !== undefined && v !== null) return '(sensitive)';
  return showValue(v);
}

function changeLines(r: ResourceChange, c: AttributeChange): string[] {
  const force = c.forcesReplacement ? '   # forces replacement' : '';
  if (r.action === 'create' || r.action === 'read' || c.before === undefined) return [`+ ${c.path} = ${value(c, 'after')}${force}`];
  if (c.after === undefined && !c.unknownAfter) return [`- ${c.path} = ${value(c, 'before')}${force}`];
  return [`- ${c.path} = ${value(c, 'before')}`, `+ ${c.path} = ${value(c, 'after')}${force}`];
}

export function resourceMarkdown(r: ResourceChange): string {
  const head = resourceHeadline(r);
  const lines = r.action === 'delete' ? [] : attributeLines(r);
  return lines.length === 0 ? `${head}\n` : `${head}\n\n${fence('diff', lines.join('\n'))}\n`;
}

export function resourceText(r: ResourceChange): string[] {
  let head = `  ${actionSymbol[r.action].padEnd(3)} ${r.address}${r.component ? ` (${r.component})` : ''}`;
  if (r.action === 'replace' && r.replaceInferred) head += ` — ${inferredMarker}${r.reason ? `: ${r.reason}` : ''}`;
  else if (r.reason) head += ` — ${r.reason}`;
  const lines = r.action === 'delete' ? [] : attributeLines(r, 20);
  return [head, ...lines.map((line) => `        ${line}`)];
}
