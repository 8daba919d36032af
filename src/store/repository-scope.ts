/**
 * Which repositories a caller may see, as a SQL condition on `repositories.full_name`: the
 * include and exclude patterns of a token (case-insensitive POSIX regular expressions, made from
 * `owner/name` globs by src/settings/repository-allow-list.ts). `null` scopes nothing out.
 */
import { sql, type SQL } from 'drizzle-orm';
import { repositories } from './schema.ts';

export type RepositoryScope = { include: string[]; exclude: string[] } | null;

export function inRepositoryScope(scope: RepositoryScope): SQL | undefined {
  if (scope === null) return undefined;
  const parts: SQL[] = [];
  // `~*` is Postgres' case-insensitive match, like the `i` flag of the patterns' RegExps.
  if (scope.include.length > 0) parts.push(sql`(${sql.join(scope.include.map((re) => sql`${repositories.fullName} ~* ${re}`), sql` or `)})`);
  for (const re of scope.exclude) parts.push(sql`not (${repositories.fullName} ~* ${re})`);
  return parts.length === 0 ? undefined : sql.join(parts, sql` and `);
}
