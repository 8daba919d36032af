import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'slipway-data-dir-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function slipway(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every path under `dir` (itself included) that its group or others may read, write or enter. */
function openToOthers(dir: string): string[] {
  const open: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if ((stat.mode & 0o077) !== 0) open.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return open;
}

test('SLIPWAY_DATA_DIR means the same to slipway migrate as to serve: the database is DIR/db', () => {
  const cwd = mkdtempSync(join(scratch, 'env-'));
  const result = slipway(['migrate'], cwd, { SLIPWAY_DATA_DIR: './data' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /PGlite data folder .*\/data\/db is up to date/);
  assert.ok(existsSync(join(cwd, 'data', 'db', 'PG_VERSION')), 'the database is in data/db');
  assert.ok(!existsSync(join(cwd, 'data', 'PG_VERSION')), 'not in data itself');
});

test('.env in the working folder is read by the CLI too, the real environment winning', () => {
  const cwd = mkdtempSync(join(scratch, 'dotenv-'));
  writeFileSync(join(cwd, '.env'), 'SLIPWAY_DATA_DIR=./from-dotenv\n');
  const fromFile = slipway(['migrate'], cwd);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.ok(existsSync(join(cwd, 'from-dotenv', 'db', 'PG_VERSION')), fromFile.stdout);
  const overridden = slipway(['migrate'], cwd, { SLIPWAY_DATA_DIR: './from-env' });
  assert.equal(overridden.code, 0, overridden.stderr);
  assert.ok(existsSync(join(cwd, 'from-env', 'db', 'PG_VERSION')), overridden.stdout);
});

test('a database an older CLI left directly in SLIPWAY_DATA_DIR is named, with where it belongs', () => {
  const cwd = mkdtempSync(join(scratch, 'old-'));
  mkdirSync(join(cwd, 'data'));
  writeFileSync(join(cwd, 'data', 'PG_VERSION'), '17\n');
  const result = slipway(['migrate'], cwd, { SLIPWAY_DATA_DIR: './data' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /note: .*\/data holds a database of its own .* now use .*\/data\/db: move its contents there/);
});

test('a new data folder is private: every folder 0700 and every file 0600, from the CLI', () => {
  const cwd = mkdtempSync(join(scratch, 'modes-cli-'));
  const result = slipway(['migrate'], cwd, { SLIPWAY_DATA_DIR: './data' });
  assert.equal(result.code, 0, result.stderr);
  const open = openToOthers(join(cwd, 'data'));
  assert.deepEqual(open.slice(0, 5), [], `${open.length} paths open to others`);
  assert.equal(lstatSync(join(cwd, 'data', 'db', 'postgresql.conf')).mode & 0o777, 0o600);
  assert.equal(lstatSync(join(cwd, 'data', 'db')).mode & 0o777, 0o700);
});

test('the embedded store makes its folder private whatever the umask, and again when it closes', async () => {
  const dir = join(mkdtempSync(join(scratch, 'modes-store-')), 'db');
  const store = await openStore({ dataDir: dir });
  try {
    assert.deepEqual(openToOthers(dir).slice(0, 5), []);
    await store.db.execute('create table filler (x int)');
  } finally {
    await store.close();
  }
  assert.deepEqual(openToOthers(dir).slice(0, 5), [], 'files PGlite created while open are private after close');
});
