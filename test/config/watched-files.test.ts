import assert from 'node:assert/strict';
import test from 'node:test';
import { loadAppsFromFiles } from '../../src/config/load.ts';
import { watchedFiles } from '../../src/config/watched-files.ts';

const app = (file: string, extra = '') => {
  const loaded = loadAppsFromFiles({ [file]: `version: 1\nname: shop\n${extra}` });
  assert.deepEqual(loaded.errors, []);
  return loaded.apps[0]!;
};

test('an app watches its own folder and .slipway/ by default, and its watch: globs besides', () => {
  const plain = watchedFiles(app('deploy/paas.yaml'));
  assert.deepEqual(plain.patterns, ['deploy/**', '.slipway/**']);
  assert.equal(plain.match('deploy/paas.yaml'), 'deploy/**');
  assert.equal(plain.match('.slipway/policies/cost.yaml'), '.slipway/**');
  assert.equal(plain.match('src/server.js'), undefined);
  assert.equal(plain.match('deployment/notes.md'), undefined, 'a folder with the same prefix is another folder');

  const watching = watchedFiles(app('deploy/paas.yaml', 'watch: ["src/**", "Dockerfile", "libs/*/package.json"]\n'));
  assert.deepEqual(watching.patterns, ['deploy/**', '.slipway/**', 'src/**', 'Dockerfile', 'libs/*/package.json']);
  assert.equal(watching.match('src/.env.example'), 'src/**', 'dot files match');
  assert.equal(watching.match('Dockerfile'), 'Dockerfile');
  assert.equal(watching.match('libs/db/package.json'), 'libs/*/package.json');
  assert.equal(watching.match('libs/db/src/index.ts'), undefined);
});

test('a root paas.yaml watches the whole repository', () => {
  assert.equal(watchedFiles(app('paas.yaml')).match('anything/at/all.txt'), '**');
});

test('a watch glob that leaves the repository root is a located config error', () => {
  const loaded = loadAppsFromFiles({ 'deploy/paas.yaml': 'version: 1\nname: shop\nwatch:\n  - "../src/**"\n  - "/etc/**"\n' });
  assert.deepEqual(
    loaded.errors.map((e) => [e.path, e.line]),
    [
      ['watch[0]', 4],
      ['watch[1]', 5],
    ],
  );
  assert.match(loaded.errors[0]!.message, /path from the repository root/);
});
