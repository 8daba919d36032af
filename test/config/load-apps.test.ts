import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatConfigError, isConfigPath, loadApps, loadAppsFromFiles } from '../../src/config/load.ts';

const root = join(import.meta.dirname, '..', '..');
const app = (name: string) => `version: 1\nname: ${name}\nservices:\n  web: { type: web, image: x }\n`;

describe('loadApps', () => {
  it('finds each paas.yaml of a monorepo as one app, with paths relative to the directory', async () => {
    const { apps, errors } = await loadApps(join(root, 'fixtures', 'apps', 'monorepo'));
    assert.deepEqual(errors, []);
    assert.deepEqual(apps.map((a) => [a.file, a.dir, a.config.name]), [
      ['apps/api/paas.yaml', 'apps/api', 'acme-api'],
      ['apps/web/paas.yaml', 'apps/web', 'acme-web'],
    ]);
    const api = apps[0];
    assert.match(api.source, /^# yaml-language-server/);
    assert.deepEqual(api.locate('services.api.memory'), { line: 9, column: 5, endLine: 9, endColumn: 15 });
  });

  it('loads a directory holding one paas.yaml as the app at "."', async () => {
    const { apps } = await loadApps(join(root, 'fixtures', 'apps', 'simple-web-app'));
    assert.deepEqual(apps.map((a) => [a.file, a.dir]), [['paas.yaml', '.']]);
  });

  describe('on a directory with node_modules and dot-folders', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'slipway-load-'));
      const files: Record<string, string> = {
        'paas.yaml': app('root'),
        'services/billing/paas.yaml': app('billing'),
        'node_modules/some-lib/paas.yaml': 'not: [valid',
        '.github/paas.yaml': 'not: [valid',
        'services/billing/.cache/paas.yaml': 'not: [valid',
        'services/billing/paas.yml': 'not: [valid',
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), text);
      }
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('skips them', async () => {
      const { apps, errors } = await loadApps(dir);
      assert.deepEqual(errors, []);
      assert.deepEqual(apps.map((a) => a.file), ['paas.yaml', 'services/billing/paas.yaml']);
    });
  });

  it('reads through the dependencies it is given', async () => {
    const files = new Map([['a/paas.yaml', app('a')], ['b/paas.yaml', 'version: 1\nname: b\nservices:\n  web: { type: web, image: x, cpuu: 1 }\n']]);
    const read: string[] = [];
    const result = await loadApps('/nowhere', {
      listFiles: async () => [...files.keys(), 'README.md'],
      readFile: async (file) => {
        read.push(file);
        return files.get(file)!;
      },
    });
    assert.deepEqual(read, ['a/paas.yaml', 'b/paas.yaml']);
    assert.deepEqual(result.apps.map((a) => a.config.name), ['a']);
    assert.deepEqual(result.errors.map(formatConfigError), ['b/paas.yaml:4:31: services.web.cpuu: unknown field `cpuu` (did you mean `cpu`?)']);
  });

  it('refuses an oversized file by its size, without reading it', async () => {
    const result = await loadApps('/nowhere', {
      listFiles: async () => ['paas.yaml'],
      fileSize: async () => 10 * 1024 * 1024,
      readFile: async () => assert.fail('must not read'),
    });
    assert.deepEqual(result.errors.map(formatConfigError), [
      'paas.yaml:1:1: file is too large (10.0 MiB); the limit is 256 KiB, checked before parsing (a paas.yaml is a few KiB: move data out of it)',
    ]);
  });
});

describe('loadAppsFromFiles', () => {
  it('takes a Map or a plain object of path → content and keeps only app configs', () => {
    const files = { 'x/paas.yaml': app('x'), 'x/README.md': '# x', 'node_modules/y/paas.yaml': 'junk: [', './z/paas.yaml': app('z') };
    const fromRecord = loadAppsFromFiles(files);
    const fromMap = loadAppsFromFiles(new Map(Object.entries(files)));
    assert.deepEqual(fromRecord.apps.map((a) => a.file), ['x/paas.yaml', 'z/paas.yaml']);
    assert.deepEqual(fromMap.apps.map((a) => [a.file, a.config.name]), fromRecord.apps.map((a) => [a.file, a.config.name]));
  });

  it('refuses two apps of one repository with the same name, at the second one\'s name', () => {
    const { apps, errors } = loadAppsFromFiles({ 'a/paas.yaml': app('shop'), 'b/paas.yaml': `# the second\n${app('shop')}` });
    assert.deepEqual(apps.map((a) => a.file), ['a/paas.yaml']);
    assert.deepEqual(errors.map(formatConfigError), ['b/paas.yaml:3:7: name: app name `shop` is already used by a/paas.yaml (each paas.yaml in a repository needs its own name)']);
  });

  it('reports errors of several files, ordered by file and line', () => {
    const { errors } = loadAppsFromFiles({ 'b/paas.yaml': 'version: 1\nname: b\nfoo: 1\n', 'a/paas.yaml': 'version: 1\nname: a\nbar: 1\nbaz: 2\n' });
    assert.deepEqual(errors.map((e) => `${e.file}:${e.line}`), ['a/paas.yaml:3', 'a/paas.yaml:4', 'b/paas.yaml:3']);
  });

  it('isConfigPath matches paas.yaml outside node_modules and dot-folders only', () => {
    assert.deepEqual(
      ['paas.yaml', 'apps/api/paas.yaml', 'node_modules/a/paas.yaml', '.git/paas.yaml', 'a/.b/paas.yaml', 'paas.yml', 'apaas.yaml', 'a\\b\\paas.yaml'].map(isConfigPath),
      [true, true, false, false, false, false, false, true],
    );
  });
});
