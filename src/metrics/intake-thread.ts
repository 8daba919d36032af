/**
 * The metrics intake's thread (started by read-series-off-thread.ts): request bodies in, checked
 * series or the `IntakeError` out. Times and values come back as transferred Float64Arrays.
 */
import { parentPort } from 'node:worker_threads';
import type { CheckedSeries } from './check-series.ts';
import { IntakeError } from './intake-error.ts';
import { readSeries, type ReadSeriesRequest } from './read-series.ts';

export type IntakeCall = { id: number; request: ReadSeriesRequest };
export type IntakeReply =
  | { id: number; series: Array<CheckedSeries & { times: Float64Array; values: Float64Array }> }
  | { id: number; refused: { code: IntakeError['code']; message: string; sample?: IntakeError['sample'] } }
  | { id: number; failed: string };

parentPort!.on('message', async ({ id, request }: IntakeCall) => {
  try {
    const series = (await readSeries(request)).map((s) => ({ ...s, times: Float64Array.from(s.times), values: Float64Array.from(s.values) }));
    parentPort!.postMessage({ id, series } satisfies IntakeReply, series.flatMap((s) => [s.times.buffer, s.values.buffer]));
  } catch (error) {
    if (error instanceof IntakeError) parentPort!.postMessage({ id, refused: { code: error.code, message: error.message, sample: error.sample } } satisfies IntakeReply);
    else parentPort!.postMessage({ id, failed: error instanceof Error ? error.message : String(error) } satisfies IntakeReply);
  }
});
