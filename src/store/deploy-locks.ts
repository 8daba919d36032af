/**
 * One run at a time per Terraform workspace (an app's environment), across every process.
 *
 * On Postgres the lock is a session advisory lock held on a connection of its own for the whole
 * run: when the process holding it dies, Postgres drops the connection and the lock with it, so no
 * lock is ever left for a person to clear (Atlantis's standing complaint, runatlantis/atlantis#5708).
 * The embedded store serves one process (its data folder is locked), so there an in-process queue
 * per key is the whole story.
 */
import pg from 'pg';
import { StoreError, causeMessage } from './store-error.ts';
import { redactUrl } from './redact-url.ts';

export type HeldLock = {
  release: () => Promise<void>;
  /** Aborted if the lock was lost while held (its Postgres connection dropped). */
  lost: AbortSignal;
};

export type DeployLocks = {
  /** Wait for the lock of `key`; rejects with the signal's reason when aborted while waiting. */
  acquire: (key: string, signal?: AbortSignal) => Promise<HeldLock>;
  /** The lock of `key` if nobody holds it, else undefined (never waits). */
  tryAcquire: (key: string) => Promise<HeldLock | undefined>;
  /** End the idle sessions kept for reuse (held locks stay held until released). */
  close: () => Promise<void>;
};

export function openDeployLocks(options: { databaseUrl?: string; log?: (message: string) => void } = {}): DeployLocks {
  return options.databaseUrl ? advisoryLocks(options.databaseUrl, options.log ?? (() => {})) : processLocks();
}

// A prefix keeps these keys apart from any other advisory lock user of the same database
// (the migration lock, Terraform's own pg backend locks on its own database).
const lockSql = (fn: string) => `select ${fn}(hashtextextended('slipway:deploy:' || $1, 0)) as ok`;

function advisoryLocks(databaseUrl: string, log: (message: string) => void): DeployLocks {
  const where = redactUrl(databaseUrl);
  // Sessions whose lock was released, kept for the next run: connecting is most of a lock's cost.
  const idle: pg.Client[] = [];
  const maxIdle = 4;
  const pollMs = 200;
  const connect = async (): Promise<pg.Client> => {
    const reused = idle.pop();
    if (reused) return reused;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'slipway-deploy-lock' });
    // An unhandled 'error' would end the process; a lost session is noticed where it matters (held below).
    client.on('error', () => {});
    client.on('end', () => {
      const at = idle.indexOf(client);
      if (at >= 0) idle.splice(at, 1);
    });
    try {
      await client.connect();
    } catch (error) {
      throw new StoreError('unreachable', `cannot connect to Postgres at ${where} for a deploy lock: ${causeMessage(error)}`, { cause: error });
    }
    return client;
  };
  const drop = (client: pg.Client) => void client.end().catch(() => {});
  const held = (client: pg.Client, key: string): HeldLock => {
    const lost = new AbortController();
    let released = false;
    const onError = (error: Error) => onLost(causeMessage(error));
    const onEnd = () => onLost('connection ended');
    function onLost(reason: string) {
      if (released || lost.signal.aborted) return;
      log(`store: the deploy lock of ${key} was lost (${reason}); Terraform's state lock still guards the state`);
      lost.abort(new Error(`deploy lock of ${key} lost: ${reason}`));
    }
    client.on('error', onError);
    client.on('end', onEnd);
    return {
      lost: lost.signal,
      async release() {
        if (released) return;
        released = true;
        client.off('error', onError);
        client.off('end', onEnd);
        try {
          await client.query(lockSql('pg_advisory_unlock'), [key]);
          if (idle.length < maxIdle && !lost.signal.aborted) idle.push(client);
          else drop(client);
        } catch {
          drop(client); // ending the session releases the lock anyway
        }
      },
    };
  };
  const tryAcquire = async (key: string): Promise<HeldLock | undefined> => {
    const client = await connect();
    let ok: boolean | undefined;
    try {
      ok = (await client.query<{ ok: boolean }>(lockSql('pg_try_advisory_lock'), [key])).rows[0]?.ok;
    } catch (error) {
      drop(client);
      throw new StoreError('unreachable', `trying the deploy lock of ${key} on ${where} failed: ${causeMessage(error)}`, { cause: error });
    }
    if (ok) return held(client, key);
    if (idle.length < maxIdle) idle.push(client);
    else drop(client);
    return undefined;
  };
  return {
    tryAcquire,
    async close() {
      await Promise.all(idle.splice(0).map((client) => client.end().catch(() => {})));
    },
    async acquire(key, signal) {
      // Polled rather than a blocking pg_advisory_lock: a session that gives up waiting stays in
      // Postgres's queue until its backend notices the closed connection, and meanwhile it can
      // take the lock (measured: the next run then found it held). Waits are rare (the job queue
      // runs one job per environment) and short, so a poll costs little.
      for (;;) {
        signal?.throwIfAborted();
        const lock = await tryAcquire(key);
        if (lock) return lock;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollMs);
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          }
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}

function processLocks(): DeployLocks {
  // Per key, the waiters in arrival order; the first one holds the lock.
  const queues = new Map<string, Array<() => void>>();
  const never = new AbortController().signal;
  const hold = (key: string): HeldLock => {
    let released = false;
    return {
      lost: never,
      async release() {
        if (released) return;
        released = true;
        const queue = queues.get(key)!;
        queue.shift();
        if (queue.length === 0) queues.delete(key);
        else queue[0]!();
      },
    };
  };
  return {
    acquire(key, signal) {
      signal?.throwIfAborted();
      const queue = queues.get(key) ?? [];
      queues.set(key, queue);
      return new Promise<HeldLock>((resolve, reject) => {
        const onAbort = () => {
          const at = queue.indexOf(grant);
          if (at > 0) queue.splice(at, 1); // still waiting: leave the queue (index 0 holds the lock)
          reject(signal!.reason);
        };
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(hold(key));
        };
        queue.push(grant);
        if (queue.length === 1) grant();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async close() {},
    async tryAcquire(key) {
      if (queues.has(key)) return undefined;
      queues.set(key, [() => {}]);
      return hold(key);
    },
  };
}
