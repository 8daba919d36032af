/**
 * Metric samples, per tenant: every query takes the installation and repository the samples belong
 * to, so an app name shared by two tenants never mixes their data. Stored one row per series and
 * UTC day (`metric_chunks`, see schema.ts), times and values packed as big-endian float8s in base64.
 */
import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { metricChunks } from './schema.ts';

/** Whose samples: GitHub's installation and repository ids. */
export type SampleScope = { installationId: number; repositoryId: number };

/** One series to store: times in epoch ms and values, index for index, no instant twice. */
export type MetricSeriesRows = SampleScope & { app: string; service: string; metric: string; times: ArrayLike<number>; values: ArrayLike<number> };

export type StoredSample = { at: Date; value: number };

const dayMs = 86_400_000;
/** Rows per upsert statement: each row is a day of one series. */
const rowsPerStatement = 200;
/** New samples per upsert statement, about (whole days): 20,000 is 14 days of minutely samples, ≈ 0.5 MB of parameters. */
const samplesPerStatement = 20_000;
/** Advisory lock class for metric series writers (the lock's first key; the second is the series' hash). */
const seriesLockClass = 0x5157;

/**
 * Store a series: each day it touches is read, merged with the new samples (a new sample replaces
 * a stored one at the same instant) and written back whole. Writers of the same series are
 * serialised by a transaction-scoped advisory lock, so two imports cannot lose each other's
 * samples. Call it inside a transaction (the intake does): the lock lasts until it ends.
 * Resolves to how many samples were given.
 */
export async function insertMetricSeries(tx: Db, series: MetricSeriesRows): Promise<number> {
  const { installationId, repositoryId, app, service, metric } = series;
  // The new samples' positions, by day, in time order.
  const incoming = new Map<number, number[]>();
  for (let i = 0; i < series.times.length; i++) {
    const day = Math.floor(series.times[i]! / dayMs);
    let positions = incoming.get(day);
    if (!positions) incoming.set(day, (positions = []));
    positions.push(i);
  }
  if (incoming.size === 0) return 0;
  for (const positions of incoming.values()) positions.sort((a, b) => series.times[a]! - series.times[b]!);
  await tx.execute(sql`select pg_advisory_xact_lock(${seriesLockClass}, ${seriesHash(series)})`);
  const key = and(eq(metricChunks.installationId, installationId), eq(metricChunks.repositoryId, repositoryId), eq(metricChunks.app, app), eq(metricChunks.service, service), eq(metricChunks.metric, metric));
  // Day by day in batches of about `samplesPerStatement` new samples: a batch's stored chunks are
  // read, merged and written back before the next is read, so neither a 200,000-sample series nor
  // the days it touches are ever held as statement parameters all at once (here and in Postgres).
  const days = [...incoming.keys()];
  for (let start = 0; start < days.length; ) {
    let end = start;
    for (let samples = 0; end < days.length && end - start < rowsPerStatement; end++) {
      samples += incoming.get(days[end]!)!.length;
      if (samples > samplesPerStatement && end > start) break;
    }
    const batch = days.slice(start, end);
    start = end;
    const stored = new Map<number, { times: string; vals: string }>();
    for (const row of await tx.select({ day: metricChunks.day, times: metricChunks.times, vals: metricChunks.vals }).from(metricChunks).where(and(key, inArray(metricChunks.day, batch)))) {
      stored.set(row.day, row);
    }
    const rows = batch.map((day) => {
      const positions = incoming.get(day)!;
      const old = stored.get(day);
      const merged = mergeByTime(
        old ? unpack(old.times) : new Float64Array(0),
        old ? unpack(old.vals) : new Float64Array(0),
        positions.map((i) => series.times[i]!),
        positions.map((i) => series.values[i]!),
      );
      return { installationId, repositoryId, app, service, metric, day, times: pack(merged.times), vals: pack(merged.values) };
    });
    await tx
      .insert(metricChunks)
      .values(rows)
      .onConflictDoUpdate({
        target: [metricChunks.installationId, metricChunks.repositoryId, metricChunks.app, metricChunks.service, metricChunks.metric, metricChunks.day],
        set: { times: sql`excluded.times`, vals: sql`excluded.vals` },
      });
  }
  return series.times.length;
}

/** Samples of one metric in [from, to), oldest first. */
export async function readMetricSamples(
  tx: Db,
  scope: SampleScope,
  app: string,
  service: string,
  metric: string,
  from: Date,
  to: Date,
): Promise<StoredSample[]> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const chunks = await tx
    .select({ times: metricChunks.times, vals: metricChunks.vals })
    .from(metricChunks)
    .where(
      and(
        eq(metricChunks.installationId, scope.installationId),
        eq(metricChunks.repositoryId, scope.repositoryId),
        eq(metricChunks.app, app),
        eq(metricChunks.service, service),
        eq(metricChunks.metric, metric),
        gte(metricChunks.day, Math.floor(fromMs / dayMs)),
        lte(metricChunks.day, Math.floor((toMs - 1) / dayMs)),
      ),
    )
    .orderBy(asc(metricChunks.day));
  const out: StoredSample[] = [];
  for (const chunk of chunks) {
    const times = unpack(chunk.times);
    const vals = unpack(chunk.vals);
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      if (t >= fromMs && t < toMs) out.push({ at: new Date(t), value: vals[i]! });
    }
  }
  return out;
}

/** Whether the store holds any sample for this tenant's app (no samples: no recommendations). */
export async function hasMetricSamples(tx: Db, scope: SampleScope, app: string): Promise<boolean> {
  const [any] = await tx
    .select({ day: metricChunks.day })
    .from(metricChunks)
    .where(and(eq(metricChunks.installationId, scope.installationId), eq(metricChunks.repositoryId, scope.repositoryId), eq(metricChunks.app, app)))
    .limit(1);
  return any !== undefined;
}

/** Two time-sorted series as one, time-sorted; at an instant both hold, the new value wins. */
function mergeByTime(oldTimes: ArrayLike<number>, oldValues: ArrayLike<number>, newTimes: number[], newValues: number[]): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  let i = 0;
  let j = 0;
  while (i < oldTimes.length || j < newTimes.length) {
    const a = i < oldTimes.length ? oldTimes[i]! : Infinity;
    const b = j < newTimes.length ? newTimes[j]! : Infinity;
    if (b <= a) {
      times.push(b);
      values.push(newValues[j++]!);
      if (a === b) i++;
    } else {
      times.push(a);
      values.push(oldValues[i++]!);
    }
  }
  return { times, values };
}

/**
 * Big-endian float8s, as Postgres' `float8send` writes them (the migration packs old rows with it),
 * in base64: text goes through the drivers as it is, where bytea took PGlite a second per 3 MB.
 */
function pack(numbers: number[]): string {
  const bytes = Buffer.allocUnsafe(numbers.length * 8);
  for (let i = 0; i < numbers.length; i++) bytes.writeDoubleBE(numbers[i]!, i * 8);
  return bytes.toString('base64');
}

/** Postgres' `encode(…, 'base64')` breaks lines every 76 characters; Buffer skips them. */
function unpack(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(Math.floor(bytes.byteLength / 8));
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleBE(i * 8);
  return out;
}

/** A 31-bit FNV-1a of the series' key: the advisory lock's second key (an int4). */
function seriesHash(series: SampleScope & { app: string; service: string; metric: string }): number {
  const text = `${series.installationId}/${series.repositoryId}/${series.app}/${series.service}/${series.metric}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & 0x7fffffff;
}

