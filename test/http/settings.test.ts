import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRepositoryAllowed, parseRepositoryPatterns } from '../../src/settings/repository-allow-list.ts';
import { loadSettings, SettingsError } from '../../src/settings/load-settings.ts';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trim();
/** Looks like a PEM, is not one: the key that used to start the service and fail every job. */
const malformed = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabcSECRETPART\n-----END RSA PRIVATE KEY-----';
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

  it('clones from GitHub’s web host, derived from GITHUB_API_URL or set by GITHUB_URL, and never over http to an https API', () => {
    const base = { APP_ID: '1', PRIVATE_KEY: pem, WEBHOOK_SECRET: 's' };
    assert.equal(loadSettings(base, emptyDir).githubUrl, 'https://github.com');
    assert.equal(loadSettings({ ...base, GITHUB_API_URL: 'https://ghe.example.com/api/v3' }, emptyDir).githubUrl, 'https://ghe.example.com');
    assert.equal(loadSettings({ ...base, GITHUB_API_URL: 'https://api.acme.ghe.com' }, emptyDir).githubUrl, 'https://acme.ghe.com');
    assert.equal(loadSettings({ ...base, GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_URL: 'http://127.0.0.1:10/' }, emptyDir).githubUrl, 'http://127.0.0.1:10');
    assert.throws(() => loadSettings({ ...base, GITHUB_URL: 'http://evil.example' }, emptyDir), (e: unknown) => e instanceof SettingsError && /GITHUB_URL must be an https URL/.test(e.message));
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

  it('refuses a malformed PRIVATE_KEY at start-up, naming the variable and never quoting the key', () => {
    const refused = (env: Record<string, string>, cwd = emptyDir) => {
      try {
        loadSettings({ APP_ID: '1', WEBHOOK_SECRET: 'x', ...env }, cwd);
      } catch (error) {
        assert.ok(error instanceof SettingsError);
        return error.message;
      }
      assert.fail('accepted');
    };
    const inline = refused({ PRIVATE_KEY: malformed });
    assert.match(inline, /PRIVATE_KEY cannot be read as a private key \(.*\): paste the whole \.pem file/);
    assert.doesNotMatch(inline, /MIIEabc|SECRETPART/);
    const dir = mkdtempSync(join(tmpdir(), 'slipway-key-'));
    writeFileSync(join(dir, 'key.pem'), malformed);
    assert.match(refused({ PRIVATE_KEY_PATH: 'key.pem' }, dir), /PRIVATE_KEY_PATH .*key\.pem cannot be read as a private key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.match(refused({ PRIVATE_KEY: ec }), /PRIVATE_KEY is a ec key; GitHub App keys are RSA/);
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
