/**
 * A worker-role process (`SLIPWAY_ROLE=worker`, Postgres) with `SLIPWAY_WORKER_PORT` answers
 * /healthz, /readyz and /metrics there (the job and runner figures only a worker has), /metrics
 * behind SLIPWAY_METRICS_TOKEN, and nothing else; without the setting it opens no port, and the
 * setting on a web process is refused at start. Runs with DATABASE_URL (CI sets it): the worker
 * role needs Postgres.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../store/engines.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const base = process.env.DATABASE_URL;
const skip = base ? false : 'DATABASE_URL is not set: the worker role needs Postgres (CI sets it)';
const temp = mkdtempSync(join(tmpdir(), 'slipway-worker-probe-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: temp,
    // GitHub is unreachable (port 1): the worker's reconcile tick fails and says so; the probes don't depend on it.
    env: { PATH: process.env.PATH!, APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'worker-probe-secret', GITHUB_API_URL: 'http://127.0.0.1:1', HOST: '127.0.0.1', SLIPWAY_DATA_DIR: join(temp, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stderr: () => stderr };
}

describe('a worker process’s own port', { skip }, () => {
  let database: { url: string; drop: () => Promise<void> };
  before(async () => (database = await createTestDatabase(base!)));
  after(() => database?.drop());

  it('answers /healthz, /readyz and /metrics (token required) on SLIPWAY_WORKER_PORT, and nothing else', async () => {
    const worker = serve({ DATABASE_URL: database.url, SLIPWAY_ROLE: 'worker', SLIPWAY_WORKER_PORT: '0', SLIPWAY_METRICS_TOKEN: 'probe-token-3b9e' });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        worker.child.stderr.on('data', () => {
          const m = /listening on (http:\/\/[^\s"]+)/.exec(worker.stderr());
          if (m) resolve(m[1]!);
        });
        void worker.exited.then((code) => reject(new Error(`exited ${code}: ${worker.stderr()}`)));
      });
      assert.match(worker.stderr(), /listening on http:\/\/[^\s"]+ \(worker, postgres\)/);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 200, await ready.clone().text());
      assert.equal((await fetch(`${url}/metrics`)).status, 401);
      const scraped = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer probe-token-3b9e' } });
      assert.equal(scraped.status, 200);
      const text = await scraped.text();
      assert.match(text, /^# TYPE slipway_job_duration_seconds histogram$/m);
      assert.match(text, /^# TYPE slipway_runner_phase_seconds histogram$/m);
      assert.match(text, /^slipway_store_up 1$/m);
      for (const path of ['/webhooks/github', '/api/v1/apps', '/dashboard']) {
        const res = await fetch(`${url}${path}`, { method: path === '/webhooks/github' ? 'POST' : 'GET' });
        assert.equal(res.status, 404, path);
      }
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
  });

  it('refuses SLIPWAY_WORKER_PORT on a web process at start, naming the fix', async () => {
    const web = serve({ DATABASE_URL: database.url, SLIPWAY_ROLE: 'web', SLIPWAY_WORKER_PORT: '0', PORT: '0' });
    assert.equal(await web.exited, 1);
    assert.match(web.stderr(), /SLIPWAY_WORKER_PORT is for SLIPWAY_ROLE=worker; a web process answers \/healthz, \/readyz and \/metrics on PORT: unset SLIPWAY_WORKER_PORT/);
  });
});
