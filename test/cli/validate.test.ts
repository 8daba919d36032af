import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { run } from '../../src/cli/validate.ts';

const root = join(import.meta.dirname, '..', '..');

async function validate(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {} };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

describe('slipway validate', () => {
  it('runs as a process: one ok line per app of a monorepo, exit 0', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'slipway.js'), 'validate', 'fixtures/apps/monorepo'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.signal, null, 'hang guard');
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'ok fixtures/apps/monorepo/apps/api/paas.yaml (1 service, 1 resource)\nok fixtures/apps/monorepo/apps/web/paas.yaml (1 service, 0 resources)\n');
    assert.equal(result.status, 0);
  });

  it('accepts each valid fixture', async () => {
    for (const [fixture, counts] of [
      ['simple-web-app', '1 service, 0 resources'],
      ['microservices-demo', '3 services, 3 resources'],
      ['ai-ml-pipeline', '3 services, 3 resources'],
    ]) {
      const result = await validate([`fixtures/apps/${fixture}`]);
      assert.deepEqual(result, { code: 0, stdout: `ok fixtures/apps/${fixture}/paas.yaml (${counts})\n`, stderr: '' });
    }
  });

  it('takes a path to a paas.yaml as well as a directory', async () => {
    const result = await validate(['fixtures/apps/simple-web-app/paas.yaml']);
    assert.deepEqual(result, { code: 0, stdout: 'ok fixtures/apps/simple-web-app/paas.yaml (1 service, 0 resources)\n', stderr: '' });
  });

  it('defaults to the current directory and prints paths relative to it', async () => {
    const result = await validate([], join(root, 'fixtures', 'apps', 'simple-web-app'));
    assert.deepEqual(result, { code: 0, stdout: 'ok paas.yaml (1 service, 0 resources)\n', stderr: '' });
  });

  it('prints every error of every app, one per line, and still reports the valid ones', async () => {
    const result = await validate(['fixtures/apps/invalid/unknown-key']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'fixtures/apps/invalid/unknown-key/paas.yaml:8:5: services.web.memmory: unknown field `memmory` (did you mean `memory`?)\n');
  });

  it('exits 1 with one clear line for a missing directory', async () => {
    assert.deepEqual(await validate(['no/such/dir']), { code: 1, stdout: '', stderr: 'slipway validate: no/such/dir: no such directory\n' });
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await validate(['a', 'b'])).code, 2);
    const unknown = await validate(['--strict']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^slipway validate: Unknown option '--strict'/);
  });

  describe('on a directory without a paas.yaml', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'slipway-validate-'));
      await mkdir(join(dir, 'src'));
      await writeFile(join(dir, 'src', 'index.js'), '');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('exits 1 and says so', async () => {
      const result = await validate([dir]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `slipway validate: no paas.yaml found under ${dir}\n`);
    });

    it('refuses a file that is not a paas.yaml', async () => {
      const result = await validate([join(dir, 'src', 'index.js')]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /expected a directory or a file named paas\.yaml/);
    });
  });
});
