/**
 * One series of raw samples → checked times and values, or an `IntakeError` naming the first
 * impossible sample (series, index, field). Points are `[t, v]` or `{ t, v }`: `t` in epoch seconds
 * or milliseconds or ISO 8601, `v` a number. The same instant given twice — even once as epoch
 * seconds and once as ISO — keeps the last value, as documented (the store's upsert cannot touch
 * one row twice in a statement, which used to end the request in a 503).
 *
 * Work is split into slices with a yield between them, so a 200,000-sample request does not hold
 * the thread that answers webhooks for its whole length.
 */
import { parseTimestamp } from '../recommend/sources/parse-timestamp.ts';
import { IntakeError } from './intake-error.ts';
import { timeProblem, valueProblem, type MetricName } from './sample-bounds.ts';

export type SeriesHeader = { repository: string; app: string; service: string; metric: MetricName };
/** Times in epoch ms and values, index for index, no instant twice. */
export type CheckedSeries = SeriesHeader & { times: ArrayLike<number>; values: ArrayLike<number> };

export type CheckOptions = {
  /** The series' index in the request, for messages and `IntakeError.sample`. */
  series: number;
  now: number;
  /** How a sample is named in messages: `samples[3]` by default; the CSV intake says `data row 4`. */
  label?: (index: number) => string;
};

const slice = 20_000;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function checkSeries(header: SeriesHeader, points: ArrayLike<unknown>, options: CheckOptions): Promise<CheckedSeries> {
  const label = options.label ?? ((index: number) => `samples[${index}]`);
  const where = `${header.service}.${header.metric}${options.series > 0 ? ` (series ${options.series})` : ''}`;
  const refuse = (index: number, field: 'time' | 'value', message: string) =>
    new IntakeError('bad_sample', `${where} ${label(index)} ${field}: ${message}`, { series: options.series, index, field });
  const times: number[] = [];
  const values: number[] = [];
  const positionOf = new Map<number, number>();
  for (let index = 0; index < points.length; index++) {
    if (index > 0 && index % slice === 0) await yieldToOthers();
    const point = points[index];
    let rawTime: unknown;
    let rawValue: unknown;
    if (Array.isArray(point) && point.length === 2) [rawTime, rawValue] = point;
    else if (point !== null && typeof point === 'object' && !Array.isArray(point) && Object.keys(point).length === 2 && 't' in point && 'v' in point) {
      ({ t: rawTime, v: rawValue } = point as { t: unknown; v: unknown });
    } else {
      throw new IntakeError('bad_sample', `${where} ${label(index)}: expected [timestamp, value] or { "t": timestamp, "v": value }`, { series: options.series, index, field: 'time' });
    }
    const time = typeof rawTime === 'number' || typeof rawTime === 'string' ? parseTimestamp(rawTime) : undefined;
    if (time === undefined) throw refuse(index, 'time', `${shown(rawTime)} is not a timestamp (epoch seconds or ms, or ISO 8601)`);
    const badTime = timeProblem(time, options.now);
    if (badTime) throw refuse(index, 'time', `${shown(rawTime)} ${badTime}`);
    if (typeof rawValue !== 'number') throw refuse(index, 'value', `${shown(rawValue)} is not a number`);
    const badValue = valueProblem(header.metric, rawValue);
    if (badValue) throw refuse(index, 'value', `${shown(rawValue)} ${badValue}`);
    const earlier = positionOf.get(time);
    if (earlier !== undefined) values[earlier] = rawValue; // the same instant again: the last value wins
    else {
      positionOf.set(time, times.length);
      times.push(time);
      values.push(rawValue);
    }
  }
  return { ...header, times, values };
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
