/**
 * `slipway metrics import FILE --repo OWNER/NAME --app A --service S --metric M`: store a
 * `timestamp,value` CSV in Slipway's database (DATABASE_URL, or the embedded one in
 * SLIPWAY_DATA_DIR/db, as `serve` reads it), for that repository's pull requests to read. The same
 * checks and the same write as `POST /api/v1/metrics` (src/metrics/): an impossible sample is named
 * (row and field), an unknown repository is refused, and a store failure is one line with the
 * driver's reason, never a raw query.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Name } from '../config/schema.ts';
import { checkSeries, type SeriesHeader } from '../metrics/check-series.ts';
import { IntakeError } from '../metrics/intake-error.ts';
import { metricNames } from '../metrics/sample-bounds.ts';
import { storeSeries } from '../metrics/store-series.ts';
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../recommend/sources/parse-metrics-csv.ts';
import { openStore } from '../store/open-store.ts';
import { causeMessage, StoreError } from '../store/store-error.ts';
import { misplacedDatabaseNote, storeOptionsFromEnv } from '../store/store-options.ts';
import type { CliIo } from './io.ts';

const usage = `Usage: slipway metrics import FILE.csv --repo OWNER/NAME --app APP --service SERVICE --metric ${metricNames.join('|')}\n`;

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { repo?: string; app?: string; service?: string; metric?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { repo: { type: 'string' }, app: { type: 'string' }, service: { type: 'string' }, metric: { type: 'string' } },
    }));
  } catch (error) {
    io.stderr(`slipway metrics: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const fail = (message: string, code: number) => (io.stderr(`slipway metrics: ${message}\n${code === 2 ? usage : ''}`), code);
  const [sub, file, ...extra] = positionals;
  if (sub !== 'import') return fail(sub ? `unknown subcommand "${sub}"` : 'expected a subcommand', 2);
  if (!file || extra.length > 0) return fail('expected exactly one FILE', 2);
  const { repo, app, service, metric } = values;
  if (!repo || !app || !service || !metric) return fail('--repo, --app, --service and --metric are required (samples are kept per repository)', 2);
  if (!/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(repo)) return fail('--repo must be a repository as owner/name', 2);
  if (!Name.safeParse(app).success || !Name.safeParse(service).success) return fail('--app and --service must be paas.yaml names (lowercase letters, digits, "-")', 2);
  if (!(metricNames as readonly string[]).includes(metric)) return fail(`--metric must be one of ${metricNames.join(', ')}`, 2);
  const header = { repository: repo, app, service, metric } as SeriesHeader;

  let series;
  try {
    const text = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new MetricsInputError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    const samples = parseMetricsCsv(text, file);
    if (samples.length === 0) return fail(`${file}: no samples`, 1);
    series = await checkSeries(header, samples, { series: 0, now: Date.now(), label: (index) => `data row ${index + 1}` });
  } catch (error) {
    if (error instanceof MetricsInputError) return fail(error.message, 1);
    if (error instanceof IntakeError) return fail(`${file}: ${error.message}`, 1);
    throw error;
  }

  const misplaced = misplacedDatabaseNote(io.env, io.cwd);
  if (misplaced) io.stderr(`slipway metrics: note: ${misplaced}\n`);
  let store;
  try {
    store = await openStore(storeOptionsFromEnv(io.env, io.cwd));
  } catch (error) {
    if (error instanceof StoreError) return fail(error.message, 1);
    throw error;
  }
  try {
    const written = await storeSeries(store.db, [series]);
    io.stdout(`imported ${written} ${metric} sample(s) for ${repo} ${app}/${service}\n`);
    return 0;
  } catch (error) {
    if (error instanceof IntakeError) return fail(error.message, 1);
    return fail(`the store could not take the samples: ${causeMessage(error)}`, 1);
  } finally {
    await store.close();
  }
}
