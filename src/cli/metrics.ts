/**
 * `slipway metrics import FILE --app A --service S --metric M`: store a `timestamp,value` CSV in
 * Slipway's database (DATABASE_URL, or the embedded one in SLIPWAY_DATA_DIR / .slipway/db), where
 * `slipway recommend` and the PR recommendations read it. Negative and non-finite values are
 * refused: the store holds clean samples only.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Name } from '../config/schema.ts';
import { MetricsInputError } from '../recommend/sources/metrics-input-error.ts';
import { parseMetricsCsv } from '../recommend/sources/parse-metrics-csv.ts';
import { insertMetricSamples } from '../store/metric-samples.ts';
import { openStore } from '../store/open-store.ts';
import { StoreError } from '../store/store-error.ts';
import { storeOptionsFromEnv } from '../store/store-options.ts';
import { metricNames } from '../recommend/types.ts';
import type { CliIo } from './io.ts';

const metrics: readonly string[] = metricNames;
const usage = `Usage: slipway metrics import FILE.csv --app APP --service SERVICE --metric ${metrics.join('|')}\n`;

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { app?: string; service?: string; metric?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { app: { type: 'string' }, service: { type: 'string' }, metric: { type: 'string' } } }));
  } catch (error) {
    io.stderr(`slipway metrics: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const fail = (message: string, code: number) => (io.stderr(`slipway metrics: ${message}\n${code === 2 ? usage : ''}`), code);
  const [sub, file, ...extra] = positionals;
  if (sub !== 'import') return fail(sub ? `unknown subcommand "${sub}"` : 'expected a subcommand', 2);
  if (!file || extra.length > 0) return fail('expected exactly one FILE', 2);
  const { app, service, metric } = values;
  if (!app || !service || !metric) return fail('--app, --service and --metric are required', 2);
  if (!Name.safeParse(app).success || !Name.safeParse(service).success) return fail('--app and --service must be paas.yaml names (lowercase letters, digits, "-")', 2);
  if (!metrics.includes(metric)) return fail(`--metric must be one of ${metrics.join(', ')}`, 2);

  let samples;
  try {
    const text = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new MetricsInputError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    samples = parseMetricsCsv(text, file);
  } catch (error) {
    if (error instanceof MetricsInputError) return fail(error.message, 1);
    throw error;
  }
  const badIndex = samples.findIndex((s) => !Number.isFinite(s.v) || s.v < 0);
  if (badIndex >= 0) return fail(`${file}: sample ${badIndex + 1} has value ${samples[badIndex].v}; values must be finite and ≥ 0`, 1);
  if (samples.length === 0) return fail(`${file}: no samples`, 1);

  let store;
  try {
    store = await openStore(storeOptionsFromEnv(io.env, io.cwd));
    const rows = samples.map((s) => ({ app, service, metric, at: new Date(s.t), value: s.v }));
    const written = await insertMetricSamples(store.db, rows);
    io.stdout(`imported ${written} ${metric} sample(s) for ${app}/${service}\n`);
    return 0;
  } catch (error) {
    if (error instanceof StoreError) return fail(error.message, 1);
    throw error;
  } finally {
    await store?.close();
  }
}
