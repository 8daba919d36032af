/**
 * What a token may do: its role (read < deploy < admin) and the repositories it may see.
 * - read: every GET on apps, environments, deployments (plan, log, outputs) and recommendations;
 * - deploy: read, and the actions (apply) and the metric intake;
 * - admin: everything, with the deliveries and the audit log.
 */
import { parseRepositoryPatterns, type RepositoryPatterns } from '../settings/repository-allow-list.ts';
import type { RepositoryScope } from '../store/repository-scope.ts';
import type { TokenRole } from '../store/schema.ts';

export type TokenAccess = {
  /** 0 for `SLIPWAY_API_TOKEN`. */
  tokenId: number;
  name: string;
  role: TokenRole;
  /** null: every repository. */
  repositories: RepositoryPatterns | null;
};

const rank: Record<TokenRole, number> = { read: 0, deploy: 1, admin: 2 };

export function hasRole(access: TokenAccess, needed: TokenRole): boolean {
  return rank[access.role] >= rank[needed];
}

/** `acme/*,!acme/legacy` as stored (a list), or null for all; throws RepositoryPatternError. */
export function repositoryPatterns(list: readonly string[] | null): RepositoryPatterns | null {
  return list === null || list.length === 0 ? null : parseRepositoryPatterns(list.join(','));
}

/** The same patterns as a store condition (Postgres `~*` takes the RegExps' sources as they are). */
export function repositoryScope(access: TokenAccess): RepositoryScope {
  if (!access.repositories) return null;
  return { include: access.repositories.include.map((re) => re.source), exclude: access.repositories.exclude.map((re) => re.source) };
}

export function actorOf(access: TokenAccess | undefined): string {
  return access ? `token:${access.tokenId}:${access.name}` : 'anonymous';
}
