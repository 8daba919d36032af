/**
 * Issue and revoke API tokens (the CLI's `slipway token`, and tests): the token is returned once
 * and only its hash stored; both are written to the audit log in the same transaction.
 */
import type { Db } from '../store/db.ts';
import { insertApiToken, revokeApiToken } from '../store/api-tokens.ts';
import { writeAudit } from '../store/audit-log.ts';
import type { ApiToken, TokenRole } from '../store/schema.ts';
import { issueToken } from './issue-token.ts';
import { repositoryPatterns } from './token-access.ts';

export type CreateTokenInput = { name: string; role: TokenRole; repositories: string[] | null; expiresInMs?: number; createdBy: string; source?: string; now?: Date };

/** Throws RepositoryPatternError for a pattern that is not `owner/name` with `*` globs. */
export async function createToken(db: Db, input: CreateTokenInput): Promise<{ token: string; row: ApiToken }> {
  repositoryPatterns(input.repositories);
  const now = input.now ?? new Date();
  const issued = issueToken();
  const row = await db.transaction(async (tx) => {
    const created = await insertApiToken(tx as unknown as Db, {
      name: input.name,
      tokenHash: issued.hash,
      prefix: issued.prefix,
      role: input.role,
      repositories: input.repositories && input.repositories.length > 0 ? input.repositories : null,
      createdBy: input.createdBy,
      expiresAt: input.expiresInMs === undefined ? null : new Date(now.getTime() + input.expiresInMs),
    });
    await writeAudit(tx as unknown as Db, {
      actor: input.createdBy,
      source: input.source ?? 'cli',
      action: 'token.create',
      subject: `token:${created.id}`,
      details: { name: created.name, role: created.role, repositories: created.repositories, expiresAt: created.expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { token: issued.token, row };
}

export async function revokeToken(db: Db, input: { id: number; actor: string; source?: string; now?: Date }): Promise<ApiToken | undefined> {
  return db.transaction(async (tx) => {
    const row = await revokeApiToken(tx as unknown as Db, input.id, input.now ?? new Date());
    await writeAudit(tx as unknown as Db, { actor: input.actor, source: input.source ?? 'cli', action: 'token.revoke', subject: `token:${input.id}`, result: row ? 'ok' : 'invalid', details: row ? { name: row.name } : { reason: 'no live token with this id' } });
    return row;
  });
}
