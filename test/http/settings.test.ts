import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRepositoryAllowed, parseRepositoryPatterns } from '../../src/settings/repository-allow-list.ts';
import { loadSettings, SettingsError } from '../../src/settings/load-settings.ts';

const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----';
const emptyDir = mkdtempSync(join(tmpdir(), 'slipway-settings-'));

describe('loadSettings', () => {
  it('reads Probot-style variables with defaults', () => {
    const s = loadSettings({ APP_ID: '123', PRIVATE_KEY: pem, WEBHOOK_SECRET: 's3cret' }, emptyDir);
    assert.equal(s.appId, 123);
    assert.equal(s.githubApiUrl, 'https://api.github.com');
    assert.equal(s.port, 3000);
    assert.equal(s.role, 'all');
    assert.equal(s.dataDir, join(emptyDir, '.slipway'));
    assert.equal(s.databaseUrl, undefined);
  });

  it('keeps the previous webhook secret during a rotation, and none when it is unset or blank', () => {
    const rotating = loadSettings({ APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'new', WEBHOOK_SECRET_PREVIOUS: ' old ' }, emptyDir);
    assert.deepEqual([rotating.webhookSecret, rotating.previousWebhookSecret], ['new', 'old']);
    assert.equal(loadSettings({ APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'new', WEBHOOK_SECRET_PREVIOUS: '' }, emptyDir).previousWebhookSecret, undefined);
  });

  it('accepts a PEM with \\n escapes on one line', () => {
    const s = loadSettings({ APP_ID: '1', PRIVATE_KEY: pem.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 'x' }, emptyDir);
    assert.equal(s.privateKey, `${pem}\n`);
  });

  it('reads the key from PRIVATE_KEY_PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-key-'));
    writeFileSync(join(dir, 'key.pem'), pem);
    const s = loadSettings({ APP_ID: '1', PRIVATE_KEY_PATH: 'key.pem', WEBHOOK_SECRET: 'x' }, dir);
    assert.equal(s.privateKey, `${pem}\n`);
  });

  it('lists every missing or malformed variable in one error, without secret values', () => {
    const secretUrl = 'mysql://admin:hunter2@db.example/slipway';
    let error: unknown;
    try {
      loadSettings({ APP_ID: 'abc', PORT: '70000', DATABASE_URL: secretUrl, SLIPWAY_ROLE: 'boss', PRIVATE_KEY: 'not a key' }, emptyDir);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof SettingsError);
    const text = error.message;
    for (const name of ['APP_ID', 'WEBHOOK_SECRET', 'PORT', 'DATABASE_URL', 'SLIPWAY_ROLE', 'PRIVATE_KEY']) assert.match(text, new RegExp(name));
    assert.doesNotMatch(text, /hunter2/);
    assert.doesNotMatch(text, /not a key/);
  });

  it('refuses a split role on the embedded database', () => {
    assert.throws(() => loadSettings({ APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'x', SLIPWAY_ROLE: 'web' }, emptyDir), /SLIPWAY_ROLE=web needs DATABASE_URL/);
    const s = loadSettings({ APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'x', SLIPWAY_ROLE: 'worker', DATABASE_URL: 'postgres://u@h/db' }, emptyDir);
    assert.equal(s.role, 'worker');
  });

  it('reads a .env file, the real environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-dotenv-'));
    writeFileSync(join(dir, '.env'), `APP_ID=7\nWEBHOOK_SECRET=from-file\nPRIVATE_KEY="${pem.replace(/\n/g, '\\n')}"\nPORT=4000\n`);
    const s = loadSettings({ PORT: '5000' }, dir);
    assert.equal(s.appId, 7);
    assert.equal(s.webhookSecret, 'from-file');
    assert.equal(s.port, 5000);
    assert.match(s.privateKey, /BEGIN RSA PRIVATE KEY-----\n/);
  });
});

describe('repository allow-list', () => {
  it('includes by glob and excludes with !', () => {
    const p = parseRepositoryPatterns('acme/*, !acme/legacy');
    assert.equal(isRepositoryAllowed(p, 'acme/api'), true);
    assert.equal(isRepositoryAllowed(p, 'ACME/Web'), true);
    assert.equal(isRepositoryAllowed(p, 'acme/legacy'), false);
    assert.equal(isRepositoryAllowed(p, 'other/api'), false);
    assert.equal(isRepositoryAllowed(undefined, 'anyone/anything'), true);
  });

  it('with only exclusions, allows everything else', () => {
    const p = parseRepositoryPatterns('!acme/legacy');
    assert.equal(isRepositoryAllowed(p, 'acme/api'), true);
    assert.equal(isRepositoryAllowed(p, 'acme/legacy'), false);
  });

  it('refuses a pattern that is not owner/name', () => {
    assert.throws(() => parseRepositoryPatterns('acme'), /owner\/name/);
  });
});
