/**
 * Postgres mode: a pooled node-postgres connection, migrations applied under an advisory lock so
 * that several processes starting together do not race, and LISTEN on one dedicated connection.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder as defaultMigrationsFolder } from './migrations-folder.ts';
import { redactUrl } from './redact-url.ts';
import * as schema from './schema.ts';
import type { Store } from './store.ts';
import { StoreError, causeMessage } from './store-error.ts';
import type { StoreOptions } from './store-options.ts';

// Any constant shared by every Slipway process: serialises migrations across processes.
const migrationLockKey = 0x51_1b_4a_7;

export async function openPostgres(databaseUrl: string, options: StoreOptions): Promise<Store> {
  const log = options.log ?? (() => {});
  const where = redactUrl(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax ?? 10, connectionTimeoutMillis: 10_000 });
  // An idle pooled connection that dies (server restart) emits 'error'; unhandled, it would crash
  // the process. The next query gets a fresh connection, and the worker retries with backoff.
  pool.on('error', (error) => log(`store: Postgres connection lost (${where}): ${causeMessage(error)}`));

  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreError('unreachable', `cannot connect to Postgres at ${where}: ${causeMessage(error)}`, { cause: error });
  }

  async function migrateStore(folder = options.migrationsFolder ?? defaultMigrationsFolder): Promise<void> {
    // One connection for the lock and the migrator's transaction, so that the lock covers it.
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new StoreError('unreachable', `cannot connect to Postgres at ${where}: ${causeMessage(error)}`, { cause: error });
    }
    try {
      await client.query('select pg_advisory_lock($1)', [migrationLockKey]);
      try {
        await migrate(drizzle({ client, schema }), { migrationsFolder: folder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [migrationLockKey]).catch(() => {});
      }
    } catch (error) {
      throw new StoreError('migration_failed', `migration failed on ${where}, nothing was changed: ${causeMessage(error)}`, {
        cause: error,
      });
    } finally {
      client.release();
    }
  }

  if (options.migrate !== false) {
    try {
      await migrateStore();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  const db = drizzle({ client: pool, schema });
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listener: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  const connectListener = (): Promise<pg.Client> => {
    if (listener) return Promise.resolve(listener);
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      c.on('notification', (n) => {
        for (const fn of listeners.get(n.channel) ?? []) fn(n.payload ?? '');
      });
      // Lost after it was established: forget it and reconnect (a failed connect is retried by
      // whoever asked for it). Workers poll meanwhile, so nothing waits on a notification.
      const lost = (reason: string) => {
        if (listener !== c) return;
        listener = undefined;
        log(`store: LISTEN connection lost (${where}): ${reason}; polling until it is back`);
        c.end().catch(() => {});
        if (!closed) setTimeout(() => void reconnect(), 1000).unref();
      };
      c.on('error', (error) => lost(causeMessage(error)));
      c.on('end', () => lost('connection ended'));
      await c.connect();
      for (const channel of listeners.keys()) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      listener = c;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  const reconnect = async () => {
    if (closed || listeners.size === 0) return;
    try {
      await connectListener();
      log(`store: LISTEN connection restored (${where})`);
      // Notifications sent while it was down are lost: tell every listener something may have happened.
      for (const set of listeners.values()) for (const fn of set) fn('');
    } catch (error) {
      log(`store: LISTEN reconnect failed (${where}): ${causeMessage(error)}`);
      setTimeout(() => void reconnect(), 2000).unref();
    }
  };

  return {
    db,
    kind: 'postgres',
    migrate: migrateStore,
    async listen(channel, onNotify) {
      const set = listeners.get(channel) ?? new Set();
      const isNew = !listeners.has(channel);
      set.add(onNotify);
      listeners.set(channel, set);
      const c = await connectListener();
      if (isNew && listener === c) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      return async () => {
        set.delete(onNotify);
        if (set.size === 0) {
          listeners.delete(channel);
          await listener?.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {});
        }
      };
    },
    async close() {
      closed = true;
      const current = listener;
      listener = undefined;
      await current?.end().catch(() => {});
      await pool.end();
    },
  };
}
