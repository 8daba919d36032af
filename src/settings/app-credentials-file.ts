/**
 * The App's credentials as the set-up page stores them: `<data folder>/github-app.env`, a dotenv
 * file readable by its owner only (0600, in the 0700 data folder), read by `loadServiceSettings`
 * under `.env` and the real environment (which win). Written once, atomically (a temporary file
 * renamed over), so a crash never leaves half a private key behind.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { makePrivateFolder } from '../store/private-folder.ts';

export const appCredentialsFileName = 'github-app.env';

export type StoredAppCredentials = {
  appId: number;
  slug: string;
  privateKey: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
  /** GitHub's web and API addresses the App was registered on (GitHub Enterprise Server differs). */
  githubUrl: string;
  githubApiUrl: string;
};

export function appCredentialsPath(dataDir: string): string {
  return join(dataDir, appCredentialsFileName);
}

/** The file's variables, or none when there is no file. */
export function readAppCredentialsFile(dataDir: string): Record<string, string> {
  const file = appCredentialsPath(dataDir);
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

/** dotenv expands `\n` inside double quotes and nothing else: a value holding `"` or `\` cannot be written (GitHub's never do). */
function quoted(value: string): string {
  if (/["\\\r]/.test(value)) throw new Error('a credential holds a character a .env file cannot keep');
  return `"${value.replace(/\n/g, '\\n')}"`;
}

/** Writes the file (mode 0600) and returns its path; never prints a value. */
export function writeAppCredentialsFile(dataDir: string, credentials: StoredAppCredentials): string {
  makePrivateFolder(dataDir);
  const file = appCredentialsPath(dataDir);
  const lines = [
    '# Written by the Slipway set-up page: the GitHub App it registered. Keep this file private.',
    `APP_ID=${credentials.appId}`,
    `GITHUB_APP_SLUG=${credentials.slug}`,
    `PRIVATE_KEY=${quoted(credentials.privateKey)}`,
    `WEBHOOK_SECRET=${quoted(credentials.webhookSecret)}`,
    `GITHUB_CLIENT_ID=${quoted(credentials.clientId)}`,
    `GITHUB_CLIENT_SECRET=${quoted(credentials.clientSecret)}`,
    `GITHUB_URL=${credentials.githubUrl}`,
    `GITHUB_API_URL=${credentials.githubApiUrl}`,
    '',
  ];
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, lines.join('\n'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  return file;
}
