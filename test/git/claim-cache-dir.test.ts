import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { claimCacheDir } from '../../src/git/claim-cache-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-claim-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('each claim in use gets a folder of its own; a released folder is claimed again', () => {
  const base = join(root, 'a', 'git');
  const first = claimCacheDir(base);
  const second = claimCacheDir(base);
  assert.equal(first.dir, base);
  assert.equal(second.dir, `${base}-2`);
  assert.equal(readFileSync(`${base}.lock`, 'utf8'), String(process.pid));
  first.release();
  assert.equal(existsSync(`${base}.lock`), false);
  const third = claimCacheDir(base);
  assert.equal(third.dir, base);
  second.release();
  third.release();
});

test('a folder locked by another running process is skipped; one left by a dead process is taken over', async () => {
  const base = join(root, 'b', 'git');
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    claimCacheDir(base).release(); // creates the parent folder
    writeFileSync(`${base}.lock`, String(other.pid));
    const claimed = claimCacheDir(base);
    assert.equal(claimed.dir, `${base}-2`);
    claimed.release();
  } finally {
    other.kill();
    await new Promise((r) => other.once('exit', r));
  }
  // The owner is gone now: its lock is stale.
  const again = claimCacheDir(base);
  assert.equal(again.dir, base);
  again.release();
});

test('when every slot is in use the error says so', () => {
  const base = join(root, 'c', 'git');
  const held = [claimCacheDir(base, 2), claimCacheDir(base, 2)];
  assert.throws(() => claimCacheDir(base, 2), (error: Error & { code?: string }) => error.code === 'CACHE_DIR' && /all 2 git cache folders/.test(error.message));
  for (const h of held) h.release();
});
