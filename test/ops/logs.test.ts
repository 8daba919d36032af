import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/ops/create-logger.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';

const canary = {
  webhook: 'canary-webhook-secret-7f3a9c',
  api: 'canary-api-token-51d0e2b8',
  metrics: 'canary-metrics-token-0c44',
};
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function capture(format: 'json' | 'pretty', secrets: string[]) {
  const lines: string[] = [];
  const log = createLogger({ format, secrets, write: (line) => lines.push(line), level: 'debug' });
  return { log, text: () => lines.join('') };
}

describe('the service log', () => {
  it('writes one JSON object a line with the ids it is given', () => {
    const { log, text } = capture('json', []);
    log('job done', { job: 42, kind: 'webhook', delivery: 'd-1' });
    log('deploy failed', { deployment: 7, level: 'error' });
    const lines = text().trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].msg, 'job done');
    assert.equal(lines[0].job, 42);
    assert.equal(lines[0].delivery, 'd-1');
    assert.equal(lines[0].level, 30);
    assert.equal(lines[1].deployment, 7);
    assert.equal(lines[1].level, 50);
    assert.equal(typeof lines[0].time, 'number');
  });

  it('never prints a known secret, in a message, a field, a nested field, or a fragment of the private key', () => {
    for (const format of ['json', 'pretty'] as const) {
      const { log, text } = capture(format, [canary.webhook, canary.api, pem]);
      const keyLine = pem.split('\n')[3]!;
      log(`connecting with ${canary.webhook} failed`);
      log('request', { token: 'field-named-token-value', headers: { authorization: `Bearer ${canary.api}` }, note: `key part ${keyLine}` });
      log('payload', { payload: { password: 'hunter2-hunter2' }, delivery: 'd-2' });
      log(`pem ${JSON.stringify(pem)}`);
      const out = text();
      for (const secret of [canary.webhook, canary.api, 'field-named-token-value', keyLine, 'hunter2-hunter2']) {
        assert.ok(!out.includes(secret), `${format}: ${secret} printed in:\n${out}`);
      }
      assert.match(out, /\[redacted\]/);
      assert.match(out, /d-2/, 'ids are kept');
    }
  });

  it('prints a readable line for a terminal in the pretty form', () => {
    const { log, text } = capture('pretty', []);
    log('slipway: listening', { job: 3 });
    assert.match(text(), /INFO.*slipway: listening/);
    assert.throws(() => JSON.parse(text().trim()));
  });

  it('slipway serve logs JSON lines, and no secret whatever is sent to it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-logs-'));
    const child = spawn(process.execPath, [new URL('../../bin/slipway.js', import.meta.url).pathname, 'serve'], {
      cwd,
      env: { PATH: process.env.PATH!, APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: canary.webhook, SLIPWAY_API_TOKEN: canary.api, SLIPWAY_METRICS_TOKEN: canary.metrics, PORT: '0', HOST: '127.0.0.1', SLIPWAY_DATA_DIR: join(cwd, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', () => {
          const m = /listening on (http:\/\/[^\s"]+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const body = JSON.stringify({ zen: canary.webhook });
      // A delivery signed with the secret, one forged, a wrong API token, the metrics token.
      await fetch(`${url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(canary.webhook, 'ping', body) }).then((r) => r.text());
      await fetch(`${url}/webhooks/github`, { method: 'POST', body, headers: { ...webhookHeaders('forged', 'ping', body), 'x-github-delivery': canary.api } }).then((r) => r.text());
      await fetch(`${url}/api/v1/deployments`, { headers: { authorization: `Bearer ${canary.webhook}` } }).then((r) => r.text());
      const scrape = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${canary.metrics}` } });
      assert.equal(scrape.status, 200);
      assert.match(await scrape.text(), /slipway_webhook_deliveries_total\{event="ping",outcome="recorded"\} 1/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = stderr.trim().split('\n');
    assert.ok(lines.length >= 3, stderr);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    assert.ok(lines.some((l) => JSON.parse(l).msg.includes('SIGTERM, shutting down')), stderr);
    for (const secret of [canary.webhook, canary.api, canary.metrics, pem.split('\n')[2]!]) assert.ok(!stderr.includes(secret), `printed: ${secret}`);
  });
});
