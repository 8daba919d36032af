/**
 * The previews part of the living PR comment: per app, the preview's environment, where it stands,
 * its URL, what it costs a month and has cost so far, when it expires, what was shrunk to fit the
 * caps and why it was refused, awaits approval or is being destroyed. Rendered from data (the
 * store's rows), between two hidden marker lines so that a job that only changed the preview (the
 * deploy job once it applied, the tick's sweep) re-renders this part of the comment from the same
 * data and leaves the rest of the comment as the PR job wrote it.
 */
import { code, escapeMarkdown, money } from './format.ts';

export const previewSectionStart = '<!-- slipway:previews -->';
export const previewSectionEnd = '<!-- /slipway:previews -->';

export type PreviewView = {
  app: string;
  environment: string;
  /** open (with the latest run's status), awaiting-approval, refused, destroying, destroy-failed, destroyed. */
  state: string;
  runStatus?: string;
  url?: string;
  monthly: number | null;
  costSoFar: number;
  expiresAt: Date | null;
  shrunk: string[];
  caps?: { perPreview?: number; total?: number; othersMonthly: number; monthlyBefore?: number } | null;
  reason: string | null;
  retryAt?: Date | null;
  destroyAttempts?: number;
};

export function renderPreviewSection(views: PreviewView[]): string {
  if (views.length === 0) return '';
  const rows = views.map((v) => {
    const status = v.state === 'open' ? (v.runStatus ?? 'queued') : v.state;
    return `| ${code(v.app)} | ${code(v.environment)} | ${status} | ${v.url && v.state === 'open' ? v.url : '—'} | ${v.monthly === null ? 'not priced' : `${money(v.monthly)}/month`} | ${money(v.costSoFar)} | ${v.expiresAt ? v.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z') : '—'} |`;
  });
  const notes: string[] = [];
  for (const v of views) {
    const where = `${code(v.app)} ${code(v.environment)}`;
    const caps = v.caps;
    if (caps && (caps.perPreview !== undefined || caps.total !== undefined)) {
      const parts = [caps.perPreview !== undefined ? `${money(caps.perPreview)}/month per preview` : undefined, caps.total !== undefined ? `${money(caps.total)}/month for all previews (others: ${money(caps.othersMonthly)}/month)` : undefined].filter(Boolean);
      notes.push(`${where}: caps ${parts.join(', ')}${caps.monthlyBefore !== undefined ? `; priced ${money(caps.monthlyBefore)}/month as written` : ''}.`);
    }
    if (v.shrunk.length > 0) notes.push(`${where}: shrunk to fit the caps: ${v.shrunk.map(escapeMarkdown).join('; ')}.`);
    if (v.reason) notes.push(`${where}: ${escapeMarkdown(v.reason)}${v.state === 'destroy-failed' && v.retryAt ? ` (attempt ${v.destroyAttempts ?? 1}; tried again after ${v.retryAt.toISOString()})` : ''}.`);
  }
  return [
    previewSectionStart,
    '### Preview environments',
    '',
    '| app | environment | status | URL | price | cost so far | expires |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    previewSectionEnd,
  ].join('\n');
}

/** `body` with its previews part replaced by `section` (added before the "Built from" line when it had none). */
export function withPreviewSection(body: string, section: string): string {
  const lines = body.split('\n');
  const start = lines.indexOf(previewSectionStart);
  const end = lines.indexOf(previewSectionEnd);
  if (start >= 0 && end > start) return [...lines.slice(0, start), ...(section ? [section] : []), ...lines.slice(end + 1)].join('\n');
  if (!section) return body;
  const built = lines.findIndex((l) => l.startsWith('<sub>Built from'));
  if (built < 0) return `${body}\n\n${section}\n`;
  return [...lines.slice(0, built), section, '', ...lines.slice(built)].join('\n');
}
