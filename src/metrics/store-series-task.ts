/**
 * `storeSeries` in the embedded store's thread (a StoreThreadTask; scripts/build.mjs bundles this
 * module as an entry): `slipway serve` on PGlite stores checked series next to the database. On
 * the service's thread a 200,000-sample series cost its grouping by day, the merge and the base64
 * packing (the thread that answers webhooks), and every upsert's 4 MB of parameters was copied
 * to the store thread by structured clone and held on both; here only the times and values cross
 * (two Float64Arrays, 3.2 MB), once.
 */
import type { Db } from '../store/db.ts';
import type { ThreadStore } from '../store/open-pglite-thread.ts';
import { storeThreadTask } from '../store/store-thread-task.ts';
import type { CheckedSeries } from './check-series.ts';
import { IntakeError } from './intake-error.ts';
import { storeSeries } from './store-series.ts';

/** A refusal crosses the thread as data (structured clone keeps an Error's message, not its class). */
export type StoredSeries = { written: number } | { refused: { code: IntakeError['code']; message: string } };

export const storeSeriesTask = storeThreadTask<CheckedSeries[], StoredSeries>('store-series-task', import.meta.url);

/** `storeSeries` for a store whose database is in its own thread: the same results and refusals. */
export function storeSeriesInStoreThread(store: Pick<ThreadStore, 'runTask'>): (series: CheckedSeries[]) => Promise<number> {
  return async (series) => {
    const stored = await store.runTask(storeSeriesTask, series);
    if ('refused' in stored) throw new IntakeError(stored.refused.code, stored.refused.message);
    return stored.written;
  };
}

export async function runInStoreThread(db: Db, series: CheckedSeries[]): Promise<StoredSeries> {
  try {
    return { written: await storeSeries(db, series) };
  } catch (error) {
    if (error instanceof IntakeError) return { refused: { code: error.code, message: error.message } };
    throw error;
  }
}
