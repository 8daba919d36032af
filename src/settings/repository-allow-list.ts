/**
 * The repository allow-list (`SLIPWAY_REPOSITORIES=acme/*,!acme/legacy`): comma-separated glob
 * patterns on `owner/name`, `*` matching within one path segment; a `!` pattern excludes. A
 * repository is allowed when it matches some include (or there are only excludes) and no exclude.
 * Matching is case-insensitive, as GitHub names are.
 */
export type RepositoryPatterns = { include: RegExp[]; exclude: RegExp[]; source: string };

export class RepositoryPatternError extends Error {}

function toRegExp(glob: string): RegExp {
  if (!/^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/.test(glob)) {
    throw new RepositoryPatternError(`"${glob}" is not an owner/name pattern (e.g. acme/* or acme/api)`);
  }
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${body}$`, 'i');
}

export function parseRepositoryPatterns(source: string): RepositoryPatterns {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const raw of source.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (item.startsWith('!')) exclude.push(toRegExp(item.slice(1).trim()));
    else include.push(toRegExp(item));
  }
  if (include.length === 0 && exclude.length === 0) throw new RepositoryPatternError('lists no patterns');
  return { include, exclude, source };
}

export function isRepositoryAllowed(patterns: RepositoryPatterns | undefined, fullName: string): boolean {
  if (!patterns) return true;
  if (patterns.exclude.some((re) => re.test(fullName))) return false;
  return patterns.include.length === 0 || patterns.include.some((re) => re.test(fullName));
}
