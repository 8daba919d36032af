/**
 * Run the same test bodies on every engine: embedded PGlite always (in memory: opening a folder is
 * slow and the folder is not the point here), in this thread and in a store thread of its own as
 * `slipway serve` runs it, and Postgres when DATABASE_URL is set. Each test file
 * gets its own fresh Postgres database (created here, dropped after), because CI's `test` database
 * is shared with other test files running at the same time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { openAsBlob, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { migrationsFolder } from '../../src/store/migrations-folder.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';

export type EngineName = 'pglite' | 'pglite-thread' | 'postgres';
export type Engine = { name: EngineName; store: () => Store; databaseUrl?: string };

export const postgresUrl = process.env.DATABASE_URL?.trim() || undefined;

/**
 * A fresh, migrated in-memory PGlite store. Initialising PGlite takes seconds, so the first call
 * (per set of migrations) saves a snapshot of a migrated database in the temp folder and later
 * calls, in any test process, start from it.
 */
export async function openTestPglite({ thread = false } = {}): Promise<Store> {
  return openStore({ dataDir: 'memory://', pgliteSnapshot: await migratedSnapshot(), thread });
}

/** A `PGlite.dumpDataDir()` tarball of a migrated database, cached in the temp folder. */
export async function migratedSnapshot(): Promise<Blob> {
  const hash = createHash('sha256');
  for (const name of readdirSync(migrationsFolder).filter((n) => n.endsWith('.sql')).sort()) {
    hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  }
  const snapshotPath = join(tmpdir(), `slipway-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  let snapshot: Blob;
  try {
    snapshot = await openAsBlob(snapshotPath);
  } catch {
    const pglite = await PGlite.create('memory://');
    await migrate(drizzle({ client: pglite }), { migrationsFolder });
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
    const partial = `${snapshotPath}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, snapshotPath); // atomic: a concurrent reader never sees half a file
    snapshot = dump;
  }
  return snapshot;
}

/** A fresh database on the DATABASE_URL server; `drop` removes it. */
export async function createTestDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `slipway_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * SLIPWAY_TEST_ENGINES (a comma-separated list) narrows the engines: `npm run mutate` runs the
 * queue's tests on embedded PGlite only, since a mutant of the SQL behaves the same on every engine
 * and each engine costs seconds per mutant.
 */
const onlyEngines = process.env.SLIPWAY_TEST_ENGINES?.split(',').map((s) => s.trim()).filter(Boolean);

export function forEachEngine(title: string, body: (engine: Engine) => void): void {
  const all: EngineName[] = postgresUrl ? ['pglite', 'pglite-thread', 'postgres'] : ['pglite', 'pglite-thread'];
  const engines = onlyEngines ? all.filter((name) => onlyEngines.includes(name)) : all;
  for (const name of engines) {
    describe(`${title} (${name})`, () => {
      let store: Store | undefined;
      let drop: (() => Promise<void>) | undefined;
      const engine: Engine = {
        name,
        store: () => {
          if (!store) throw new Error('store not open yet');
          return store;
        },
      };
      before(async () => {
        if (name === 'postgres') {
          const created = await createTestDatabase(postgresUrl!);
          drop = created.drop;
          engine.databaseUrl = created.url;
          store = await openStore({ databaseUrl: created.url });
        } else {
          store = await openTestPglite({ thread: name === 'pglite-thread' });
        }
      });
      after(async () => {
        await store?.close();
        await drop?.();
      });
      body(engine);
    });
  }
}

let counter = 0;
/** A name no other test in this process uses (job kinds, keys, delivery ids). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

let nextGithubId = Math.floor(Math.random() * 1e9);
/** An id GitHub could have given (installation or repository), unique in this process. */
export function githubId(): number {
  nextGithubId += 1;
  return nextGithubId;
}

/** A recorded installation and one repository of it: the scope metric samples and recommendations are kept under. */
export async function createTenant(db: Store['db']): Promise<{ installationId: number; repositoryId: number }> {
  const installationId = githubId();
  const repositoryId = githubId();
  await upsertInstallation(db, { id: installationId, accountLogin: unique('acme') });
  await upsertRepositories(db, installationId, [{ id: repositoryId, fullName: `${unique('acme')}/shop` }]);
  return { installationId, repositoryId };
}
