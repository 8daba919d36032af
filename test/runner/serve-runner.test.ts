/**
 * `slipway serve` and the runner, as a process: without Terraform it starts, says so once and
 * plans as before; with one it names it; a SLIPWAY_TERRAFORM that is not there stops it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function serve(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'slipway-serve-runner-'));
  dirs.push(cwd);
  const base = { APP_ID: '1', PRIVATE_KEY: pem.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 's', PORT: '0', HOST: '127.0.0.1', GITHUB_API_URL: 'http://127.0.0.1:9' };
  const child = spawn(process.execPath, [bin, 'serve'], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', () => /worker running/.test(stderr) && resolve());
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  worker.catch(() => {});
  return { child, exited, worker, stderr: () => stderr, listening: () => /listening on (http:\/\/\S+)/.exec(stderr)?.[1] };
}

describe('slipway serve and the Terraform runner', () => {
  test('without Terraform on the PATH it starts, says so once, and answers', async () => {
    const run = serve({ PATH: '/usr/bin:/bin' });
    await run.worker;
    assert.equal((await fetch(`${run.listening()}/readyz`)).status, 200);
    const said = run.stderr().match(/no Terraform runner \(no terraform or tofu on the PATH and SLIPWAY_TERRAFORM is not set\): deployments are planned, not applied/g);
    assert.equal(said?.length, 1);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('with Terraform it names the binary, its version and where state goes', async () => {
    const run = serve({ PATH: process.env.PATH!, SLIPWAY_STATE_BACKEND: 'local' });
    await run.worker;
    assert.match(run.stderr(), /Terraform runner: Terraform 1\.\d+\.\d+ at \/\S*terraform; state: local state in \S+\/terraform\/work/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('a SLIPWAY_TERRAFORM that is not there, or a pg backend without its database, stops it with the reason', async () => {
    const missing = serve({ PATH: process.env.PATH!, SLIPWAY_TERRAFORM: '/opt/nowhere/terraform' });
    assert.equal(await missing.exited, 1);
    assert.match(missing.stderr(), /slipway serve: SLIPWAY_TERRAFORM=\/opt\/nowhere\/terraform: no executable there/);
    const pgWithoutUrl = serve({ PATH: process.env.PATH!, SLIPWAY_STATE_BACKEND: 'pg' });
    assert.equal(await pgWithoutUrl.exited, 1);
    assert.match(pgWithoutUrl.stderr(), /SLIPWAY_STATE_DATABASE_URL is required with SLIPWAY_STATE_BACKEND=pg/);
  });
});
