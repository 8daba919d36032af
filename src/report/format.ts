/** Small formatting helpers shared by the markdown and text renderers. */
import { scrubSecrets } from '../plan/sensitive.ts';

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$1,234.50` */
export function money(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return `${rounded < 0 ? '-' : ''}$${usd.format(Math.abs(rounded) === 0 ? 0 : Math.abs(rounded))}`;
}

/** `+$41.20` / `-$3.00` / `$0.00` */
export function signedMoney(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  if (rounded === 0) return '$0.00';
  return `${rounded > 0 ? '+' : '-'}$${usd.format(Math.abs(rounded))}`;
}

/** `+18%`, `-4%`, `+0.4%` */
export function signedPercent(value: number): string {
  const abs = Math.abs(value);
  const text = abs >= 10 || abs === 0 ? String(Math.round(abs)) : abs.toFixed(1).replace(/\.0$/, '');
  return `${value > 0 ? '+' : value < 0 ? '-' : ''}${text}%`;
}

/** Text outside code: no HTML, no table breaks, no accidental formatting of `<`, `|`, newlines; credential-shaped text scrubbed. */
export function escapeMarkdown(text: string): string {
  return scrubSecrets(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside. */
export function code(text: string): string {
  const clean = scrubSecrets(text).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${clean.replaceAll('|', '\\|')}${pad}${ticks}`;
}

/** A fence longer than any backtick run in the body, so the body can never close it. */
export function fence(info: string, body: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${body}${body.endsWith('\n') ? '' : '\n'}${ticks}`;
}

/** A value as one line: strings as JSON strings, long values shortened. */
export function showValue(value: unknown, max = 200): string {
  if (value === undefined) return '(none)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
