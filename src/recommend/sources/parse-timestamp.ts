/**
 * Timestamps as metric files write them: epoch seconds or milliseconds (numbers; below 10^11 they
 * are seconds, which covers every date after 1973), or ISO 8601 / `YYYY-MM-DD HH:MM:SS` strings,
 * read as UTC when they carry no zone (CloudWatch exports do not).
 */
export function parseTimestamp(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? (Math.abs(raw) < 1e11 ? raw * 1000 : raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseTimestamp(Number(text));
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso)) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}
