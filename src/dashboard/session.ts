/**
 * Dashboard sessions: a signed (HMAC-SHA256), http-only, SameSite=Lax cookie naming the person and
 * a per-session CSRF token, with an expiry. What a GitHub user may see (their repositories and
 * permission on each, listed by GitHub at sign-in) is kept in this process, keyed by the session
 * id, and never in the cookie; a session whose access this process does not hold (after a restart)
 * signs in again. The key lives in the data folder (`session.key`, 0600), so sessions survive a
 * restart of the web process if not its access lists.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateFolder } from '../store/private-folder.ts';

export type Session = { sid: string; login: string; kind: 'github' | 'token'; csrf: string; exp: number };

export const sessionCookie = 'slipway_session';
export const sessionSeconds = 8 * 3600;

/** The data folder's session key, created (0600) on first use. */
export function sessionKey(dataDir: string): Buffer {
  const file = join(dataDir, 'session.key');
  if (!existsSync(file)) {
    makePrivateFolder(dataDir);
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, randomBytes(32).toString('base64url'));
      closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
}

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');

export function signValue(key: Buffer, value: unknown): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The value, when the signature is this key's; undefined for anything forged or malformed. */
export function verifyValue<T>(key: Buffer, signed: string | undefined): T | undefined {
  if (!signed) return undefined;
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const body = signed.slice(0, dot);
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signed.slice(dot + 1));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function newSession(login: string, kind: Session['kind'], now: number): Session {
  return { sid: randomBytes(24).toString('base64url'), login, kind, csrf: randomBytes(24).toString('base64url'), exp: Math.floor(now / 1000) + sessionSeconds };
}
