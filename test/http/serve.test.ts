import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eq, like, sql } from 'drizzle-orm';
import { encodeRecord } from '../../src/intake/spool-records.ts';
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

  it('refuses to start with a private key that only looks like one, naming PRIVATE_KEY', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-serve-'));
    const broken = '-----BEGIN RSA PRIVATE KEY-----\\nMIIEabcSECRETPART\\n-----END RSA PRIVATE KEY-----';
    const run = startServe({ APP_ID: '1', PRIVATE_KEY: broken, WEBHOOK_SECRET: 's', PORT: '0', HOST: '127.0.0.1' }, cwd);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /PRIVATE_KEY cannot be read as a private key/);
    assert.doesNotMatch(run.stderr(), /SECRETPART/);
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

  it('exits within 10 s of SIGTERM with a spool still loading, and the next start loads what was left', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-serve-'));
    const spoolDir = join(cwd, '.slipway', 'spool');
    mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
    const count = 6_000;
    const padding = 'p'.repeat(2_000);
    const records = Array.from({ length: count }, (_, i) => {
      const payload = JSON.stringify({ zen: 'z', hook_id: i, padding });
      return encodeRecord({ deliveryId: `left-${i}`, event: 'ping', action: null, installationId: null, payloadText: payload, outcome: 'pong' });
    });
    writeFileSync(join(spoolDir, 'segment-0000000001.log'), Buffer.concat(records), { mode: 0o600 });
    const env = { APP_ID: '1', PRIVATE_KEY: pem.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 's', PORT: '0', HOST: '127.0.0.1', GITHUB_API_URL: 'http://127.0.0.1:9' };

    const first = startServe(env, cwd);
    const url = await first.listening;
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'answers while the spool loads');
    const signalled = performance.now();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr());
    const took = performance.now() - signalled;
    assert.ok(took < 10_000, `exited ${Math.round(took)} ms after SIGTERM`);
    assert.match(first.stderr(), /slipway: stopped in \d+ ms/);
    // Usually part of the spool is still there (said so); on a fast machine it may all be loaded.
    const left = /(\d+) deliveries left in the spool for the next start/.exec(first.stderr());
    if (left) assert.ok(Number(left[1]) > 0 && Number(left[1]) <= count);

    const second = startServe(env, cwd);
    const again = await second.listening;
    // Loaded once the spool folder has no segment left.
    const deadline = Date.now() + 60_000;
    while (readdirSync(spoolDir).some((n) => n.startsWith('segment-0000000001')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fetch(`${again}/readyz`)).status, 200);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.stderr());
    const store = await openStore({ dataDir: join(cwd, '.slipway', 'db') });
    try {
      const [row] = await store.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(like(webhookDeliveries.deliveryId, 'left-%'));
      assert.equal(row?.n, count, 'every spooled delivery is in the database, none twice');
    } finally {
      await store.close();
    }
  });
});
