/**
 * Claim the next runnable job: queued and due, or running with an expired lease (its worker died).
 * `FOR UPDATE SKIP LOCKED` lets many workers claim concurrently without blocking each other.
 * A job whose concurrency key already has a running job is skipped; two workers racing for
 * different jobs with the same key are stopped by the partial unique index on running jobs'
 * keys (the loser gets a unique violation and simply tries again).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { jobs, type Job } from '../store/schema.ts';
import { isUniqueViolation, rowsOf, toJob } from './rows.ts';

export type ClaimOptions = {
  workerId: string;
  kinds?: readonly string[];
  leaseMs: number;
  /**
   * Also look for jobs whose lease expired (default true). Leases expire only when a worker dies,
   * so a busy worker loop checks about once a second instead of on every claim: two fewer
   * statements per job.
   */
  expired?: boolean;
  /**
   * Kinds with a give-up handler (the worker's `giveUp`): a job of one of these whose worker died
   * on its last attempt is claimed once more (its `attempts` then exceeds `maxAttempts`) so that
   * the handler can end what the job left half-done, instead of being buried silently. If that run's
   * worker dies too, the job is buried.
   */
  giveUpKinds?: readonly string[];
};

export async function claim(db: Db, options: ClaimOptions): Promise<Job | undefined> {
  if (options.expired !== false) await buryExpired(db, options);
  for (let attempt = 0; ; attempt++) {
    try {
      return await claimOnce(db, options);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

async function claimOnce(db: Db, options: ClaimOptions): Promise<Job | undefined> {
  // Two statements rather than one with OR, so that each can use its partial index: taking over
  // an expired lease first (its worker died: it has waited longest), then the queued jobs.
  const expired =
    options.expired === false
      ? undefined
      : await claimWhere(db, options, sql`j.status = 'running' and j.locked_until < now() and (j.attempts < j.max_attempts or ${givingUp(options, sql`j.`)})`);
  return expired ?? (await claimWhere(db, options, sql`j.status = 'queued' and j.run_at <= now()`));
}

async function claimWhere(db: Db, { workerId, kinds, leaseMs }: ClaimOptions, runnable: SQL): Promise<Job | undefined> {
  const kindFilter = kinds && kinds.length > 0 ? sql`and j.kind in (${inList(kinds)})` : sql``;
  const result = await db.execute(sql`
    with next as (
      select j.id from ${jobs} j
      -- A claim need not wait for its WAL flush (about 8 ms on a busy disk): if the server crashed
      -- right after, the claim is forgotten and the job runs again, which at-least-once allows.
      cross join (select set_config('synchronous_commit', 'off', true)) async_commit
      where ${runnable}
        ${kindFilter}
        and (j.concurrency_key is null or not exists (
          select 1 from ${jobs} r
          where r.concurrency_key = j.concurrency_key and r.status = 'running' and r.id <> j.id
        ))
      order by j.run_at, j.id
      limit 1
      for update skip locked
    )
    update ${jobs} set
      status = 'running',
      attempts = ${jobs.attempts} + 1,
      locked_by = ${workerId},
      locked_until = now() + ${leaseMs} * interval '1 millisecond',
      updated_at = now()
    from next
    where ${jobs.id} = next.id
    returning ${jobs}.*`);
  const [row] = rowsOf(result);
  return row ? toJob(row) : undefined;
}

/** An expired job at its last attempt that a give-up handler of this worker ends (`alias`: `j.` or none). */
function givingUp({ giveUpKinds }: ClaimOptions, alias: SQL): SQL {
  if (!giveUpKinds || giveUpKinds.length === 0) return sql`false`;
  return sql`(${alias}attempts = ${alias}max_attempts and ${alias}kind in (${inList(giveUpKinds)}))`;
}

/**
 * Running jobs of the claimed kinds whose lease expired after their last allowed attempt: dead,
 * kept for inspection — except the ones a give-up handler is to end first (above). Only the
 * claimed kinds: a worker that does not run a kind cannot tell whether its give-up is due.
 */
async function buryExpired(db: Db, options: ClaimOptions): Promise<void> {
  const { kinds } = options;
  const kindFilter = kinds && kinds.length > 0 ? sql`and kind in (${inList(kinds)})` : sql``;
  await db.execute(sql`
    update ${jobs} set status = 'dead', finished_at = now(), updated_at = now(),
      last_error = coalesce(last_error || '; ', '') || 'lease expired on attempt ' || least(attempts, max_attempts) || ' of ' || max_attempts
        || case when attempts > max_attempts then ' and again while giving up' else '' end
    where status = 'running' and locked_until < now() and attempts >= max_attempts ${kindFilter}
      and not ${givingUp(options, sql``)}`);
}

const inList = (values: readonly string[]): SQL => sql.join(values.map((v) => sql`${v}`), sql`, `);
