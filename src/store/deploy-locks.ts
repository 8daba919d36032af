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
};

export function openDeployLocks(options: { databaseUrl?: string; log?: (message: string) => void } = {}): DeployLocks {
  return options.databaseUrl ? advisoryLocks(options.databaseUrl, options.log ?? (() => {})) : processLocks();
}

// A prefix keeps these keys apart from any other advisory lock user of the same database
// (the migration lock, Terraform's own pg backend locks on its own database).
const lockSql = (fn: string) => `select ${fn}(hashtextextended('slipway:deploy:' || $1, 0)) as ok`;

function advisoryLocks(databaseUrl: string, log: (message: string) => void): DeployLocks {
  const where = redactUrl(databaseUrl);
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'slipway-deploy-lock' });
    try {
      await client.connect();
    } catch (error) {
      throw new StoreError('unreachable', `cannot connect to Postgres at ${where} for a deploy lock: ${causeMessage(error)}`, { cause: error });
    }
    return client;
  };
  const held = (client: pg.Client, key: string): HeldLock => {
    const lost = new AbortController();
    let released = false;
    const onLost = (reason: string) => {
      if (released || lost.signal.aborted) return;
      log(`store: the deploy lock of ${key} was lost (${reason}); Terraform's state lock still guards the state`);
      lost.abort(new Error(`deploy lock of ${key} lost: ${reason}`));
    };
    client.on('error', (error) => onLost(causeMessage(error)));
    client.on('end', () => onLost('connection ended'));
    return {
      lost: lost.signal,
      async release() {
        if (released) return;
        released = true;
        // Ending the session releases the lock even if the unlock itself fails.
        await client.query(lockSql('pg_advisory_unlock'), [key]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  };
  return {
    async acquire(key, signal) {
      signal?.throwIfAborted();
      const client = await connect();
      client.on('error', () => {}); // handled per state below; an unhandled 'error' would crash the process
      const abort = () => void client.end().catch(() => {});
      signal?.addEventListener('abort', abort, { once: true });
      try {
        await client.query(lockSql('pg_advisory_lock'), [key]);
      } catch (error) {
        await client.end().catch(() => {});
        if (signal?.aborted) throw signal.reason;
        throw new StoreError('unreachable', `waiting for the deploy lock of ${key} on ${where} failed: ${causeMessage(error)}`, { cause: error });
      } finally {
        signal?.removeEventListener('abort', abort);
      }
      return held(client, key);
    },
    async tryAcquire(key) {
      const client = await connect();
      client.on('error', () => {});
      const { rows } = await client.query<{ ok: boolean }>(lockSql('pg_try_advisory_lock'), [key]).catch(async (error: unknown) => {
        await client.end().catch(() => {});
        throw new StoreError('unreachable', `trying the deploy lock of ${key} on ${where} failed: ${causeMessage(error)}`, { cause: error });
      });
      if (rows[0]?.ok) return held(client, key);
      await client.end().catch(() => {});
      return undefined;
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
    async tryAcquire(key) {
      if (queues.has(key)) return undefined;
      queues.set(key, [() => {}]);
      return hold(key);
    },
  };
}
