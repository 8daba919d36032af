import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/jobs/rows.ts';
import { insertDeliveries } from '../../src/store/webhook-deliveries.ts';
import { lazyStore, openStore, type Store } from '../../src/store/open-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { storeOptionsFromEnv } from '../../src/store/store-options.ts';
import { createTestDatabase, migratedSnapshot, openTestPglite, postgresUrl } from './engines.ts';

const scratch = mkdtempSync(join(tmpdir(), 'slipway-store-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function slipway(args: string[], env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, ['bin/slipway.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: undefined, SLIPWAY_DATA_DIR: undefined, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const isStoreError = (code: StoreError['code'], pattern: RegExp) => (e: unknown) =>
  e instanceof StoreError && e.code === code && pattern.test(e.message);

test('the environment selects the engine: DATABASE_URL for Postgres, else a data folder', () => {
  assert.deepEqual(storeOptionsFromEnv({ DATABASE_URL: 'postgres://h/db' }, '/srv'), { databaseUrl: 'postgres://h/db' });
  assert.deepEqual(storeOptionsFromEnv({}, '/srv'), { dataDir: '/srv/.slipway/db' });
  assert.deepEqual(storeOptionsFromEnv({ SLIPWAY_DATA_DIR: 'data', DATABASE_URL: ' ' }, '/srv'), { dataDir: '/srv/data' });
});

test('an unreachable Postgres gives one error naming the URL, password redacted, and the cause', async () => {
  await assert.rejects(
    openStore({ databaseUrl: 'postgres://slipway:s3cret@127.0.0.1:1/slipway' }),
    isStoreError('unreachable', /^cannot connect to Postgres at postgres:\/\/slipway:\*\*\*@127\.0\.0\.1:1\/slipway: .*ECONNREFUSED/),
  );
  await assert.rejects(openStore({ databaseUrl: 'mysql://root:pw@db/x' }), isStoreError('unreachable', /must be a postgres:\/\/ URL/));
});

test('a lazy store opens on first use, once, and tries again after a failure', async () => {
  const failing = lazyStore({ databaseUrl: 'postgres://127.0.0.1:1/x' });
  const first = failing();
  assert.equal(failing(), first, 'concurrent callers share one attempt');
  await assert.rejects(first, isStoreError('unreachable', /127\.0\.0\.1:1/));
  const second = failing();
  assert.notEqual(second, first);
  await assert.rejects(second);
  const working = lazyStore({ dataDir: 'memory://', pgliteSnapshot: await migratedSnapshot() });
  const [a, b] = await Promise.all([working(), working()]);
  assert.equal(a, b);
  assert.equal(await working(), a);
  await a.close();
});

test('slipway migrate against an unreachable database exits 1 with one clear line', () => {
  const { code, stderr } = slipway(['migrate'], { DATABASE_URL: 'postgresql://admin:hunter2@127.0.0.1:1/prod' });
  assert.equal(code, 1);
  assert.equal(
    stderr.trim().split('\n').length,
    1,
    stderr,
  );
  assert.match(stderr, /^slipway migrate: cannot connect to Postgres at postgresql:\/\/admin:\*\*\*@127\.0\.0\.1:1\/prod: /);
  assert.doesNotMatch(stderr, /hunter2/);
});

test('a corrupt PGlite data folder gives a clear error naming the folder', async () => {
  const dir = join(scratch, 'corrupt');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'PG_VERSION'), 'not a version\n');
  await assert.rejects(openStore({ dataDir: dir }), (e: unknown) => {
    assert.ok(e instanceof StoreError && e.code === 'data_dir');
    assert.ok(e.message.includes(dir), e.message);
    return true;
  });
});

test('a PGlite data folder keeps its data, and refuses a second process while in use', async () => {
  const dir = join(scratch, 'db');
  // Seeded from the suite's snapshot of a migrated database: initialising a folder takes seconds.
  const store = await openStore({ dataDir: dir, pgliteSnapshot: await migratedSnapshot() });
  let reopened: Store | undefined;
  try {
    await insertDeliveries(store.db, [{ deliveryId: 'kept', event: 'push', action: null, installationId: null }]);
    assert.equal(readFileSync(`${dir}.lock`, 'utf8'), String(process.pid));
    await assert.rejects(openStore({ dataDir: dir }), isStoreError('locked', new RegExp(`${dir}.*in use by process ${process.pid}`)));
    const cli = slipway(['migrate', '--data-dir', dir], {});
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, new RegExp(`^slipway migrate: the PGlite data folder ${dir} is in use by process ${process.pid}`));
  } finally {
    await store.close();
  }
  try {
    reopened = await openStore({ dataDir: dir });
    assert.equal((await insertDeliveries(reopened.db, [{ deliveryId: 'kept', event: 'push', action: null, installationId: null }])).size, 0, 'already stored');
  } finally {
    await reopened?.close();
  }
});

const pgUrl = postgresUrl;
if (pgUrl) {
  test('slipway migrate brings a Postgres database up to date', async () => {
    const database = await createTestDatabase(pgUrl);
    try {
      const cli = slipway(['migrate'], { DATABASE_URL: database.url });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /^slipway migrate: Postgres at postgres:\/\/.* is up to date/);
      const store = await openStore({ databaseUrl: database.url, migrate: false });
      const jobsTable = await store.db.execute(sql`select to_regclass('public.jobs') is not null as present`);
      await store.close();
      assert.equal((rowsOf(jobsTable)[0] as { present: boolean }).present, true);
    } finally {
      await database.drop();
    }
  });
}

/** A drizzle-kit style migrations folder with the given SQL files. */
function migrationsFolder(name: string, files: string[]): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'meta'), { recursive: true });
  const entries = files.map((body, idx) => {
    const tag = `000${idx}_m${idx}`;
    writeFileSync(join(dir, `${tag}.sql`), body);
    // Later than any real migration, so they apply on top of the real schema.
    return { idx, version: '7', when: 4_000_000_000_000 + idx, tag, breakpoints: true };
  });
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  return dir;
}

const good = 'CREATE TABLE "widgets" ("id" integer PRIMARY KEY);';
const bad =
  'CREATE TABLE "gadgets" ("id" integer);\n--> statement-breakpoint\nALTER TABLE "widgets" ADD COLUMN "size" integer;\n--> statement-breakpoint\nSELECT 1 / 0;';

for (const engine of postgresUrl ? ['pglite', 'postgres'] : ['pglite']) {
  test(`a failing migration leaves the schema unchanged (${engine})`, async () => {
    const database = engine === 'postgres' ? await createTestDatabase(postgresUrl!) : undefined;
    const store = database ? await openStore({ databaseUrl: database.url }) : await openTestPglite();
    const appliedCount = async () =>
      (rowsOf(await store.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0] as { n: number }).n;
    try {
      const before = await appliedCount();
      await store.migrate(migrationsFolder(`good-${engine}`, [good]));
      await assert.rejects(
        store.migrate(migrationsFolder(`bad-${engine}`, [good, bad])),
        isStoreError('migration_failed', /nothing was changed: .*division by zero/),
      );
      const tables = await store.db.execute(
        sql`select table_name from information_schema.tables where table_name in ('widgets', 'gadgets')`,
      );
      assert.deepEqual(rowsOf(tables).map((r) => r.table_name), ['widgets']);
      const columns = await store.db.execute(sql`select column_name from information_schema.columns where table_name = 'widgets'`);
      assert.deepEqual(rowsOf(columns).map((r) => r.column_name), ['id']);
      assert.equal(await appliedCount(), before + 1, 'only the good migration is recorded');
    } finally {
      await store.close();
      await database?.drop();
    }
  });
}
