import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { openStore } from '../../src/store/open-store.ts';
import { webhookDeliveries } from '../../src/store/schema.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function startServe(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [bin, 'serve'], { cwd, env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const m = /listening on (http:\/\/\S+) .*ready in (\d+) ms/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, listening, exited, stderr: () => stderr };
}

describe('slipway serve', () => {
  it('refuses to start with one message listing every missing setting, and no secret in it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-serve-'));
    const run = startServe({ APP_ID: 'abc', WEBHOOK_SECRET: '', DATABASE_URL: 'mysql://root:hunter2@db/x' }, cwd);
    assert.equal(await run.exited, 1);
    const text = run.stderr();
    assert.match(text, /APP_ID/);
    assert.match(text, /WEBHOOK_SECRET/);
    assert.match(text, /PRIVATE_KEY or PRIVATE_KEY_PATH/);
    assert.doesNotMatch(text, /hunter2/);
    assert.doesNotMatch(text, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('starts, answers /readyz, stores a delivery through the spool, restarts on the same data folder, and shuts down on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-serve-'));
    const env = { APP_ID: '1', PRIVATE_KEY: pem.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 's', PORT: '0', HOST: '127.0.0.1', GITHUB_API_URL: 'http://127.0.0.1:9' };
    const deliveryId = crypto.randomUUID();
    for (let round = 0; round < 2; round++) {
      const run = startServe(env, cwd);
      const url = await run.listening;
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      if (round === 0) {
        const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
        const res = await fetch(`${url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders('s', 'ping', body, deliveryId) });
        assert.equal(res.status, 202);
      }
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.stderr());
      assert.match(run.stderr(), /SIGTERM, shutting down/);
    }
    // The spool was loaded into the database by the store's thread (a store-thread task).
    const store = await openStore({ dataDir: join(cwd, '.slipway', 'db') });
    try {
      const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
      assert.equal(row?.outcome, 'pong');
    } finally {
      await store.close();
    }
  });
});
