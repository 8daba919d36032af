// The README's test command: every test/**/*.test.ts through Node's own runner (node:test) with
// tsx's loader. Node 20's --test does not expand globs itself, so the files are listed here.
// What the tests need beyond `npm ci` is checked first (test/prerequisites.mjs): installed as
// root, otherwise named in one line before any test runs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrerequisites } from './prerequisites.mjs';

if (!ensurePrerequisites()) process.exit(1);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test').sort();
if (!process.env.DATABASE_URL) {
  console.log('# DATABASE_URL is not set: store and queue tests run on embedded PGlite only; the Postgres run is left out.');
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
