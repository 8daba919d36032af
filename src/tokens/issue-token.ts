/**
 * A new API token: `slw_` and 32 random bytes (base64url). Only its SHA-256 is stored; the token
 * itself is shown once. With 256 bits of randomness there is nothing to guess, so a plain hash
 * (no salt, no slow KDF) is what GitHub and others use for such tokens too, and it can be looked
 * up by index.
 */
import { createHash, randomBytes } from 'node:crypto';

export const tokenPrefix = 'slw_';

export function issueToken(): { token: string; hash: string; prefix: string } {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, tokenPrefix.length + 4) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
