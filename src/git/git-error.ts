// The one error class of the git edge; callers match on `code`, never on message text.

export type GitErrorCode =
  /** The commit is not in the repository (history rewritten, branch deleted, or never pushed). */
  | 'SHA_NOT_FOUND'
  /** The git server refused the credentials (401/403). */
  | 'AUTH_FAILED'
  /** The repository does not exist on the server, or the token cannot see it. */
  | 'REPO_NOT_FOUND'
  /** Network error or a server error during fetch. */
  | 'FETCH_FAILED'
  /** A blob is larger than the caller allows; it was not read. */
  | 'TOO_LARGE'
  /** A path is not in the commit. */
  | 'PATH_NOT_FOUND'
  /** A repository key that cannot be a folder name. */
  | 'BAD_REPO_KEY'
  /** The cache folder cannot be locked for this process (I/O error, or every slot in use). */
  | 'CACHE_DIR';

export class GitError extends Error {
  override readonly name = 'GitError';
  readonly code: GitErrorCode;
  /** For TOO_LARGE and PATH_NOT_FOUND: the path in the repository. */
  readonly path?: string;
  /** For TOO_LARGE: the blob's size in bytes. */
  readonly size?: number;

  constructor(code: GitErrorCode, message: string, options: { cause?: unknown; path?: string; size?: number } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    if (options.size !== undefined) this.size = options.size;
  }
}
