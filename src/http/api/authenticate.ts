/**
 * `Authorization: Bearer <token>` for API v1: 401 without a token, with one nobody issued, an
 * expired or a revoked one; 429 past the token's rate limit. A token is found by its SHA-256
 * (an index lookup) and the stored hash compared again in constant time. `SLIPWAY_API_TOKEN`,
 * when set, is an admin token for every repository (token id 0), compared in constant time too.
 * The token itself is never logged or stored.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../../store/db.ts';
import { findApiTokenByHash } from '../../store/api-tokens.ts';
import { repositoryPatterns, type TokenAccess } from '../../tokens/token-access.ts';
import { ApiError } from '../../api/api-error.ts';
import type { RateLimiter } from './rate-limit.ts';

export type AuthDeps = { db: Db; legacyToken?: string; rateLimit: RateLimiter; now: () => Date };
export type ApiVariables = { access?: TokenAccess; audit?: { action: string; subject?: string; details?: Record<string, unknown> } };

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function authenticate(deps: AuthDeps): MiddlewareHandler<{ Variables: ApiVariables }> {
  const legacy = deps.legacyToken ? sha256(deps.legacyToken) : undefined;
  return async (c, next) => {
    const match = /^Bearer\s+(\S{1,512})$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new ApiError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>; see slipway token create)');
    const digest = sha256(match[1]!);
    let access: TokenAccess | undefined;
    if (legacy && timingSafeEqual(digest, legacy)) {
      access = { tokenId: 0, name: 'SLIPWAY_API_TOKEN', role: 'admin', repositories: null };
    } else {
      const row = await findApiTokenByHash(deps.db, digest.toString('hex'));
      if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), digest)) throw new ApiError(401, 'unauthorized', 'invalid bearer token');
      access = { tokenId: row.id, name: row.name, role: row.role, repositories: repositoryPatterns(row.repositories) };
      const refused = row.revokedAt
        ? new ApiError(401, 'token_revoked', `token ${row.id} (${row.name}) was revoked`)
        : row.expiresAt && row.expiresAt <= deps.now()
          ? new ApiError(401, 'token_expired', `token ${row.id} (${row.name}) expired at ${row.expiresAt.toISOString()}`)
          : undefined;
      if (refused) {
        // Named in the audit entry (who tried), and refused before any route runs.
        c.set('access', access);
        throw refused;
      }
    }
    c.set('access', access);
    const limited = deps.rateLimit(String(access.tokenId));
    if (!limited.ok) {
      c.header('retry-after', String(limited.retryAfterSeconds));
      throw new ApiError(429, 'rate_limited', `token ${access.tokenId} made too many requests; retry in ${limited.retryAfterSeconds} s`);
    }
    await next();
  };
}
