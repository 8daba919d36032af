/**
 * A metrics request body → checked series, or an `IntakeError` saying what is wrong: JSON
 * (`{ repository, app, service, metric, samples }` or an array of them) or `timestamp,value` CSV
 * with the series named in the query string. The HTTP route runs it in a thread of its own in
 * `slipway serve` (intake-thread.ts): parsing a 7 MB body and checking 200,000 samples is work the
 * thread that answers webhooks must not do.
 */
import { z } from 'zod';
import { Name } from '../config/schema.ts';
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../recommend/sources/parse-metrics-csv.ts';
import { checkSeries, type CheckedSeries, type SeriesHeader } from './check-series.ts';
import { IntakeError } from './intake-error.ts';
import { metricNames } from './sample-bounds.ts';

export type ReadSeriesRequest = {
  body: Uint8Array;
  /** The media type, lowercase, without parameters. */
  type: string;
  query: Record<string, string>;
  maxSamples: number;
  now: number;
};

export type ReadSeries = (request: ReadSeriesRequest) => Promise<CheckedSeries[]>;

const Repository = z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'must be a repository as owner/name');
const Metric = z.enum(metricNames);
const Header = { repository: Repository, app: Name, service: Name, metric: Metric };
const Series = z.strictObject({ ...Header, samples: z.array(z.unknown()) });
const CsvQuery = z.strictObject(Header);
const shape = '{ "repository": "owner/name", "app", "service", "metric", "samples": [[timestamp, value], ...] }';

export async function readSeries({ body, type, query, maxSamples, now }: ReadSeriesRequest): Promise<CheckedSeries[]> {
  const text = new TextDecoder().decode(body);
  let series: CheckedSeries[];
  if (type === 'application/json') series = await fromJson(text, maxSamples, now);
  else if (type === 'text/csv' || type === 'text/plain') series = await fromCsv(text, query, maxSamples, now);
  else throw bad(`unsupported content-type "${type || 'none'}": send application/json or text/csv`);
  if (series.every((s) => s.times.length === 0)) throw bad('no samples in the request');
  return series;
}

async function fromJson(text: string, maxSamples: number, now: number): Promise<CheckedSeries[]> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`body is not valid JSON: ${(error as Error).message}`);
  }
  // Pick the shape first, so the error names the field rather than "invalid union".
  const parsed = Array.isArray(data) ? z.array(Series).min(1).safeParse(data) : Series.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`${issue.path.join('.') || 'body'}: ${issue.message}; expected ${shape}`);
  }
  const all = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const total = all.reduce((sum, s) => sum + s.samples.length, 0);
  if (total > maxSamples) throw bad(`${total} samples in one request; at most ${maxSamples}`);
  const out: CheckedSeries[] = [];
  for (const [index, { samples, ...header }] of all.entries()) {
    out.push(await checkSeries(header as SeriesHeader, samples, { series: index, now }));
  }
  return out;
}

async function fromCsv(text: string, query: Record<string, string>, maxSamples: number, now: number): Promise<CheckedSeries[]> {
  const parsed = CsvQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`query parameter ${issue.path.join('.') || ''}: ${issue.message}; CSV needs ?repository=owner/name&app=&service=&metric=`);
  }
  let samples;
  try {
    samples = parseMetricsCsv(text, 'body');
  } catch (error) {
    if (error instanceof MetricsInputError) throw bad(error.message);
    throw error;
  }
  if (samples.length > maxSamples) throw bad(`${samples.length} samples in one request; at most ${maxSamples}`);
  return [await checkSeries(parsed.data as SeriesHeader, samples, { series: 0, now, label: (index) => `data row ${index + 1}` })];
}

function bad(message: string): IntakeError {
  return new IntakeError('bad_request', message);
}
