/** `slipway token` and `slipway audit` as processes, on an embedded store a test app then reads. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createHttpApp } from '../../src/http/app.ts';
import { openStore } from '../../src/store/open-store.ts';
import { databaseDir } from '../../src/store/store-options.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'slipway-token-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const env = { PATH: process.env.PATH!, HOME: temp, SLIPWAY_DATA_DIR: join(temp, 'data'), USER: 'ops-person' };

function slipway(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: temp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Answers an API request with the store the CLI wrote (opened only for the call: the data folder is one process's). */
async function apiStatus(token: string): Promise<number> {
  const store = await openStore({ dataDir: databaseDir(env.SLIPWAY_DATA_DIR) });
  try {
    const app = createHttpApp({ db: store.db, webhookSecret: 's', log: () => {} });
    return (await app.request('/api/v1/apps', { headers: { authorization: `Bearer ${token}` } })).status;
  } finally {
    await store.close();
  }
}

describe('slipway token and slipway audit', () => {
  it('refuses a missing role, a bad pattern and a bad expiry in one message, creating nothing', async () => {
    const bad = await slipway(['token', 'create', '--name', 'x', '--role', 'owner', '--repos', 'acme', '--expires', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--role must be read, deploy or admin, not "owner"/);
    assert.match(bad.stderr, /--repos: "acme" is not an owner\/name pattern/);
    assert.match(bad.stderr, /--expires must be a number and a unit/);
    assert.equal((await slipway(['token', 'frobnicate'])).code, 2);
  });

  it('prints a token once, lists it without the token, and a revoked token stops working', async () => {
    const created = await slipway(['token', 'create', '--name', 'ci', '--role', 'read', '--repos', 'acme/*', '--expires', '30d']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^slw_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /role read, repositories acme\/\*, expires 20\d\d-/);
    assert.equal(await apiStatus(token), 200);

    const listed = await slipway(['token', 'list']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^1 +ci +slw_.{4}… +read +acme\/\* +20\d\d-\S+ +active$/m);
    assert.ok(!listed.stdout.includes(token));

    const revoked = await slipway(['token', 'revoke', '1']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, 'revoked token 1 (ci)\n');
    assert.equal(await apiStatus(token), 401);
    assert.match((await slipway(['token', 'list'])).stdout, /revoked 20/);
    const twice = await slipway(['token', 'revoke', '1']);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /no active token 1/);
  });

  it('shows who created and revoked tokens in the audit log', async () => {
    const audit = await slipway(['audit', '--json']);
    assert.equal(audit.code, 0, audit.stderr);
    const entries = audit.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(entries.map((e) => [e.action, e.actor, e.subject, e.result]), [
      ['token.revoke', 'cli:ops-person', 'token:1', 'invalid'],
      ['token.revoke', 'cli:ops-person', 'token:1', 'ok'],
      ['token.create', 'cli:ops-person', 'token:1', 'ok'],
    ]);
    const table = await slipway(['audit', '--action', 'token.create']);
    assert.match(table.stdout, /^WHEN +ACTOR +SOURCE +ACTION +SUBJECT +RESULT\n\S+ +cli:ops-person +cli +token\.create +token:1 +ok\n$/);
  });
});
