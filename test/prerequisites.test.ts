// The README's test command on a machine without Debian's prometheus: it says so in one line,
// before any test runs, and exits 1 (SLIPWAY_TEST_NO_INSTALL=1 keeps it from installing it as root).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

const runner = new URL('./run.mjs', import.meta.url).pathname;
const gitPath = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();

test('npm test names what to install in one line, before any test runs, when prometheus is missing', () => {
  // A PATH with git and nothing else: prometheus and promtool are not found.
  const bin = mkdtempSync(join(tmpdir(), 'slipway-path-'));
  try {
    symlinkSync(gitPath, join(bin, 'git'));
    const run = spawnSync(process.execPath, [runner, 'test/lru-map.test.ts'], {
      env: { PATH: bin, SLIPWAY_TEST_NO_INSTALL: '1', HOME: process.env.HOME ?? tmpdir() },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    const lines = `${run.stdout}${run.stderr}`.trim().split('\n');
    assert.equal(lines.length, 1, `${run.stdout}${run.stderr}`);
    assert.match(lines[0]!, /^npm test needs prometheus, promtool: install them first with `sudo apt-get install -y prometheus`/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test('with everything installed, the check passes without a word', () => {
  const run = spawnSync(process.execPath, [new URL('./prerequisites.mjs', import.meta.url).pathname], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(`${run.stdout}${run.stderr}`, '');
});
