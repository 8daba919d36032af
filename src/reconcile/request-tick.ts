/**
 * A reconcile tick to run now (`slipway reconcile --once`, `POST /api/v1/reconcile`, tests): its
 * job. Apart from src/reconcile/tick-job.ts so that the web side (API, Workers entry) can queue a
 * tick without loading the tick itself.
 */
import { randomUUID } from 'node:crypto';
import { enqueue } from '../jobs/enqueue.ts';
import type { Db } from '../store/db.ts';

export const tickJobKind = 'reconcile.tick';
/** Every tick job's concurrency key: one tick at a time across processes. */
export const tickKey = 'reconcile.tick';

export async function requestTick(db: Db): Promise<number> {
  const { id } = await enqueue(db, { kind: tickJobKind, concurrencyKey: tickKey, idempotencyKey: `${tickKey}:manual:${randomUUID()}`, maxAttempts: 1 });
  return id;
}
