/**
 * The CLI's store-reading commands share one way of opening the store and of reading `--limit`:
 * a bad limit is exit 2 with the reason, an unreachable store is exit 1 with one line naming the
 * command (never a stack trace), whichever command asked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'slipway-store-commands-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function slipway(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH!, HOME: temp, SLIPWAY_DATA_DIR: join(temp, 'data'), ...extra };
  const child = spawn(process.execPath, [bin, ...args], { cwd: temp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('store-reading CLI commands', () => {
  for (const [command, limit] of [['deployments', '0'], ['audit', '1001'], ['deployments', '2.5'], ['audit', 'ten']] as const) {
    it(`${command} --limit ${limit}: exit 2, the reason, nothing opened`, async () => {
      const result = await slipway([command, '--limit', limit]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `slipway ${command}: --limit must be a whole number 1–1000, not "${limit}"\n`);
      assert.equal(result.stdout, '');
    });
  }

  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' };
  for (const args of [['deployments'], ['audit'], ['logs', '5']]) {
    it(`${args[0]} with an unreachable DATABASE_URL: exit 1, one line naming the command`, async () => {
      const result = await slipway(args, unreachable);
      assert.equal(result.code, 1);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`^slipway ${args[0]}: `));
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }
});
