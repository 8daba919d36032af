/** The evaluation's input: every `*.csv` under a folder (any depth) and its `labels.json`. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { parseMetricsCsv } from '../../src/recommend/sources/parse-metrics-csv.ts';
import { parseTimestamp } from '../../src/recommend/sources/parse-timestamp.ts';
import type { Sample } from '../../src/recommend/types.ts';

export type Window = { from: number; to: number };
export type Trace = { name: string; samples: Sample[]; labels?: Window[] };

/** Traces with at least 100 usable samples, sorted by path; labels where `labels.json` has them. */
export async function loadTraces(dir: string): Promise<{ traces: Trace[]; skipped: string[] }> {
  const files = (await listCsv(dir)).sort();
  const raw = await readFile(join(dir, 'labels.json'), 'utf8').catch(() => '{}');
  const labels = JSON.parse(raw) as Record<string, [string, string][]>;
  const traces: Trace[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const name = relative(dir, file);
    const samples = cleanSeries(parseMetricsCsv(await readFile(file, 'utf8'), name)).samples;
    if (samples.length < 100) { skipped.push(`${name}: ${samples.length} usable samples`); continue; }
    const windows = labels[name]?.map(([a, b]) => ({ from: parseTimestamp(a)!, to: parseTimestamp(b)! }));
    traces.push({ name, samples, ...(windows ? { labels: windows } : {}) });
  }
  return { traces, skipped };
}

async function listCsv(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listCsv(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.csv') ? [join(dir, e.name)] : []))));
  return nested.flat();
}
