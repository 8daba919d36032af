/**
 * Put jobs on the queue inside the caller's transaction, so a webhook delivery and its job commit
 * (or roll back) together. NOTIFY is transactional too: workers are woken only on commit.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { jobs } from '../store/schema.ts';
import { jobsChannel } from './channel.ts';
import { rowsOf } from './rows.ts';

export type EnqueueInput = {
  kind: string;
  payload?: unknown;
  /** At most one job per key runs at a time (e.g. `deploy:<app>:<environment>`). */
  concurrencyKey?: string | null;
  /** A second enqueue with the same key is a no-op (e.g. the webhook delivery id). */
  idempotencyKey?: string | null;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Attempts before the job is dead (default 5). */
  maxAttempts?: number;
  /** Cancel queued (not running) older jobs with the same concurrency key: only the newest matters. */
  supersede?: boolean;
};

export type Enqueued = { id: number; created: boolean };

// Postgres allows 65,535 bind parameters per statement; a job row takes up to 7.
const rowsPerStatement = 5_000;

/** Enqueue one job. With an idempotency key already used, resolves to the existing job, `created: false`. */
export async function enqueue(tx: Db, job: EnqueueInput): Promise<Enqueued> {
  const [result] = await enqueueMany(tx, [job]);
  return result!;
}

/** Enqueue several jobs in batched inserts; results are in input order. */
export async function enqueueMany(tx: Db, batch: EnqueueInput[]): Promise<Enqueued[]> {
  const results: Enqueued[] = [];
  for (let i = 0; i < batch.length; i += rowsPerStatement) {
    results.push(...(await insertChunk(tx, batch.slice(i, i + rowsPerStatement))));
  }
  return results;
}

async function insertChunk(tx: Db, chunk: EnqueueInput[]): Promise<Enqueued[]> {
  // One statement with six array parameters (unnest) instead of six parameters per row: much
  // faster to build and to parse for large batches, on both engines.
  const col = <T>(pick: (j: EnqueueInput) => T) => sql.param(chunk.map(pick));
  const result = await tx.execute(sql`
    with inserted as (
    insert into ${jobs} (kind, payload, concurrency_key, idempotency_key, run_at, max_attempts)
    select k, p, c, i, coalesce(r, now()), m
    from unnest(
      ${col((j) => j.kind)}::text[],
      ${col((j) => JSON.stringify(j.payload ?? {}))}::jsonb[],
      ${col((j) => j.concurrencyKey ?? null)}::text[],
      ${col((j) => j.idempotencyKey ?? null)}::text[],
      ${col((j) => j.runAt?.toISOString() ?? null)}::timestamptz[],
      ${col((j) => j.maxAttempts ?? 5)}::int[]
    ) with ordinality as t(k, p, c, i, r, m, n)
    order by n
    on conflict (idempotency_key) do nothing
    returning id, idempotency_key
    ),
    -- Wake idle workers (delivered on commit), in the same round trip; only if a job was added.
    notified as (select pg_notify(${jobsChannel}, '') where exists (select 1 from inserted))
    select inserted.id, inserted.idempotency_key from inserted left join notified on true`);
  const inserted = rowsOf(result).map((r) => ({ id: Number(r.id), idempotencyKey: (r.idempotency_key as string | null) ?? null }));
  // Rows come back in insertion order; match the ones without a key positionally and the ones with
  // a key by key, then look up the jobs that the idempotency key made us skip.
  const byKey = new Map<string, number>();
  const unkeyed: number[] = [];
  for (const r of inserted) {
    if (r.idempotencyKey === null) unkeyed.push(r.id);
    else byKey.set(r.idempotencyKey, r.id);
  }
  const missing = chunk
    .map((j) => j.idempotencyKey)
    .filter((k): k is string => typeof k === 'string' && !byKey.has(k));
  const existing = new Map<string, number>();
  if (missing.length > 0) {
    const rows = await tx
      .select({ id: jobs.id, idempotencyKey: jobs.idempotencyKey })
      .from(jobs)
      .where(inArray(jobs.idempotencyKey, [...new Set(missing)]));
    for (const r of rows) existing.set(r.idempotencyKey!, r.id);
  }
  unkeyed.sort((a, b) => a - b); // identity values follow VALUES order
  let nextUnkeyed = 0;
  const claimedKeys = new Set<string>();
  const results = chunk.map((job): Enqueued => {
    const key = job.idempotencyKey;
    if (key === null || key === undefined) return { id: unkeyed[nextUnkeyed++]!, created: true };
    const createdId = byKey.get(key);
    if (createdId !== undefined && !claimedKeys.has(key)) {
      claimedKeys.add(key); // the same key twice in one batch: the second is the duplicate
      return { id: createdId, created: true };
    }
    return { id: createdId ?? existing.get(key)!, created: false };
  });

  // Supersede: for each key and kind, the newest job created here cancels the queued ones of the
  // same kind before it. Jobs of another kind sharing the key are serialised with them but never
  // cancelled (a PR's approvals run in the PR's order, and a new push does not drop them).
  const newestByKey = new Map<string, { key: string; kind: string; newest: number }>();
  chunk.forEach((job, i) => {
    const r = results[i]!;
    if (job.supersede && job.concurrencyKey && r.created) {
      const id = `${job.kind}\u0000${job.concurrencyKey}`;
      const seen = newestByKey.get(id);
      newestByKey.set(id, { key: job.concurrencyKey, kind: job.kind, newest: Math.max(r.id, seen?.newest ?? 0) });
    }
  });
  for (const { key, kind, newest } of newestByKey.values()) {
    await tx
      .update(jobs)
      .set({ status: 'cancelled', lastError: `superseded by job ${newest}`, finishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(jobs.concurrencyKey, key), eq(jobs.kind, kind), eq(jobs.status, 'queued'), lt(jobs.id, newest)));
  }
  return results;
}
