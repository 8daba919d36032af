import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { metricSamples, type MetricSample } from './schema.ts';

// Postgres allows 65,535 bind parameters per statement; 5 per row.
const rowsPerStatement = 10_000;

/** Store samples; a sample already stored (same app, service, metric and time) is replaced. */
export async function insertMetricSamples(tx: Db, batch: MetricSample[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < batch.length; i += rowsPerStatement) {
    const chunk = batch.slice(i, i + rowsPerStatement);
    const rows = await tx
      .insert(metricSamples)
      .values(chunk)
      .onConflictDoUpdate({
        target: [metricSamples.app, metricSamples.service, metricSamples.metric, metricSamples.at],
        set: { value: sql`excluded.value` },
      })
      .returning({ at: metricSamples.at });
    written += rows.length;
  }
  return written;
}

/** Samples of one metric in [from, to), oldest first. */
export async function readMetricSamples(
  tx: Db,
  app: string,
  service: string,
  metric: string,
  from: Date,
  to: Date,
): Promise<MetricSample[]> {
  return tx
    .select()
    .from(metricSamples)
    .where(
      and(
        eq(metricSamples.app, app),
        eq(metricSamples.service, service),
        eq(metricSamples.metric, metric),
        gte(metricSamples.at, from),
        lt(metricSamples.at, to),
      ),
    )
    .orderBy(asc(metricSamples.at));
}

/** Whether any sample is stored for the app (recommendations are computed only then). */
export async function hasMetricSamples(tx: Db, app: string): Promise<boolean> {
  const [row] = await tx.select({ app: metricSamples.app }).from(metricSamples).where(eq(metricSamples.app, app)).limit(1);
  return row !== undefined;
}
