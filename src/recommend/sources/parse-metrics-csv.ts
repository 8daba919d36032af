/**
 * `timestamp,value` CSV (a header row is optional; CloudWatch and NAB exports have one). Rows that
 * cannot be read are errors naming the line: a file with garbage in it is refused, not guessed at.
 * Values are kept as written (NaN or negative values are the cleaner's job, which notes them).
 */
import type { Sample } from '../types.ts';
import { MetricsInputError } from './metrics-input-error.ts';
import { parseTimestamp } from './parse-timestamp.ts';

export function parseMetricsCsv(text: string, file = 'input'): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length < 2) throw new MetricsInputError(`${file}:${i + 1}: expected "timestamp,value", got "${truncate(line)}"`);
    const t = parseTimestamp(cells[0]);
    const v = cells[1] === '' || /^nan$/i.test(cells[1]) ? Number.NaN : Number(cells[1]);
    if (t === undefined) {
      if (samples.length === 0 && i === firstContentLine(lines)) continue; // the header row
      throw new MetricsInputError(`${file}:${i + 1}: "${truncate(cells[0])}" is not a timestamp (epoch seconds or ms, or ISO 8601)`);
    }
    if (Number.isNaN(v) && cells[1] !== '' && !/^nan$/i.test(cells[1])) {
      throw new MetricsInputError(`${file}:${i + 1}: "${truncate(cells[1])}" is not a number`);
    }
    samples.push({ t, v });
  }
  return samples;
}

function firstContentLine(lines: string[]): number {
  return lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
