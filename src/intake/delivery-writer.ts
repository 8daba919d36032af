/**
 * Durable ingest with group commit. Each webhook request hands its delivery (and the job it
 * becomes) to the writer and waits; the writer stores everything that arrived while the previous
 * transaction was committing in ONE transaction — deliveries and their jobs together — and then
 * answers every waiting request. A 202 is therefore never given for work that could be lost, and
 * under load one commit serves many requests (PGlite is a single connection: one transaction per
 * request would cap ingest at a few hundred deliveries a second).
 *
 * A redelivery (same `X-GitHub-Delivery`) is stored once and enqueued once: the insert skips known
 * ids, and only newly stored deliveries enqueue their job (the job's idempotency key is the
 * delivery id as well, so even two writers racing cannot enqueue it twice).
 */
import { enqueueMany, type EnqueueInput } from '../jobs/enqueue.ts';
import type { Db } from '../store/db.ts';
import { insertDeliveries, type DeliveryInput } from '../store/webhook-deliveries.ts';

export type IncomingDelivery = DeliveryInput & {
  /** The job to enqueue, or (no job) `outcome` says why there is nothing to do. */
  job?: EnqueueInput;
  /** `payloadText`'s UTF-8 bytes when the caller has them (the request body): the spool copies them instead of encoding the text again. */
  payloadBytes?: Uint8Array;
};

export type WriteResult = { isNew: boolean };

type Waiting = { delivery: IncomingDelivery; resolve: (r: WriteResult) => void; reject: (e: unknown) => void };

export type DeliveryWriter = {
  write: (delivery: IncomingDelivery) => Promise<WriteResult>;
  /** Resolves once nothing is waiting or being written. */
  drain: () => Promise<void>;
};

// Rows per transaction: bounded so that one commit stays short (a 7 KB payload is one jsonb value).
const maxBatch = 256;

/**
 * `concurrency`: transactions in flight at once (1 for PGlite, a single connection; a few for a
 * Postgres pool, so that one commit's round trip does not idle the next group).
 */
export function createDeliveryWriter(db: Db, options: { concurrency?: number } = {}): DeliveryWriter {
  const concurrency = options.concurrency ?? 1;
  let pending: Waiting[] = [];
  const running = new Set<Promise<void>>();

  async function flush(batch: Waiting[]): Promise<void> {
    try {
      const results = await db.transaction((tx) => writeBatch(tx, batch.map((w) => w.delivery)));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function pump(): void {
    while (running.size < concurrency && pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      const flushing: Promise<void> = flush(batch).finally(() => {
        running.delete(flushing);
        pump();
      });
      running.add(flushing);
    }
  }

  return {
    write(delivery) {
      return new Promise<WriteResult>((resolve, reject) => {
        pending.push({ delivery, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (running.size > 0 || pending.length > 0) await Promise.all(running);
    },
  };
}

/** Store deliveries and enqueue the jobs of the new ones, in the caller's transaction. */
export async function writeBatch(tx: Db, batch: IncomingDelivery[]): Promise<WriteResult[]> {
  // The same delivery id twice in one batch: the first one is new, the second a redelivery.
  const firstIndex = new Map<string, number>();
  batch.forEach((d, i) => {
    if (!firstIndex.has(d.deliveryId)) firstIndex.set(d.deliveryId, i);
  });
  const unique = [...firstIndex.values()].map((i) => batch[i]!);
  const fresh = await insertDeliveries(tx, unique);
  const jobs = unique.filter((d) => fresh.has(d.deliveryId) && d.job).map((d) => d.job!);
  if (jobs.length > 0) await enqueueMany(tx, jobs);
  return batch.map((d, i) => ({ isNew: fresh.has(d.deliveryId) && firstIndex.get(d.deliveryId) === i }));
}
