import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeAppCredentialsFile } from '../../src/settings/app-credentials-file.ts';
import { loadServiceSettings, SettingsError } from '../../src/settings/load-settings.ts';
import { githubWebUrl } from '../../src/settings/settings.ts';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const stored = { appId: 77, slug: 'acme-slipway', privateKey: pem, webhookSecret: 'hook-secret', clientId: 'Iv1.abc', clientSecret: 'client-secret', githubUrl: 'https://ghe.example.com', githubApiUrl: 'https://ghe.example.com/api/v3' };

describe('loadServiceSettings', () => {
  it('starts in set-up mode when no App credentials are given anywhere', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-setup-settings-'));
    const result = loadServiceSettings({ PORT: '4000' }, cwd);
    assert.equal(result.mode, 'setup');
    assert.equal(result.settings.port, 4000);
    assert.equal(result.settings.githubUrl, 'https://github.com');
  });

  it('takes empty APP_ID= lines (a copied .env.example) as not given', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-setup-settings-'));
    writeFileSync(join(cwd, '.env'), 'APP_ID=\nWEBHOOK_SECRET=\n');
    assert.equal(loadServiceSettings({}, cwd).mode, 'setup');
  });

  it('runs with the credentials the set-up page stored (0600), and the environment wins over them', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-setup-settings-'));
    const file = writeAppCredentialsFile(join(cwd, '.slipway'), stored);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const result = loadServiceSettings({}, cwd);
    assert.equal(result.mode, 'running');
    if (result.mode !== 'running') return;
    assert.equal(result.settings.appId, 77);
    assert.equal(result.settings.privateKey, pem);
    assert.equal(result.settings.webhookSecret, 'hook-secret');
    assert.deepEqual(result.settings.oauth, { clientId: 'Iv1.abc', clientSecret: 'client-secret' });
    assert.equal(result.settings.githubApiUrl, 'https://ghe.example.com/api/v3');
    const overridden = loadServiceSettings({ WEBHOOK_SECRET: 'from-env' }, cwd);
    assert.equal(overridden.mode === 'running' && overridden.settings.webhookSecret, 'from-env');
  });

  it('reports partial credentials as an error, not as set-up mode', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-setup-settings-'));
    assert.throws(() => loadServiceSettings({ APP_ID: '5' }, cwd), (error: unknown) => error instanceof SettingsError && error.problems.some((p) => p.startsWith('WEBHOOK_SECRET')) && error.problems.some((p) => p.startsWith('PRIVATE_KEY')));
  });

  it('refuses the worker role in set-up mode, and an OAuth client id without its secret', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-setup-settings-'));
    assert.throws(() => loadServiceSettings({ SLIPWAY_ROLE: 'worker', DATABASE_URL: 'postgres://u@h/d' }, cwd), /SLIPWAY_ROLE=worker needs the App’s credentials/);
    assert.throws(() => loadServiceSettings({ GITHUB_CLIENT_ID: 'Iv1.x' }, cwd), /GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together/);
  });

  it('derives GitHub’s web address from the API address', () => {
    assert.equal(githubWebUrl('https://api.github.com'), 'https://github.com');
    assert.equal(githubWebUrl('https://ghe.example.com/api/v3'), 'https://ghe.example.com');
    assert.equal(githubWebUrl('http://127.0.0.1:9999'), 'http://127.0.0.1:9999');
  });
});
