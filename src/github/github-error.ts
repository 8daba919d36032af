// The one error class for GitHub API failures. Callers match on `status` (and `rateLimited`), never on
// message text. The installation token is never part of the message.

export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  /** HTTP status from GitHub; 0 when no answer came (network error, timeout). */
  readonly status: number;
  /** True for a primary or secondary rate limit that outlasted our retries. */
  readonly rateLimited: boolean;
  /** Seconds GitHub asked us to wait, when it said. */
  readonly retryAfterSec?: number;

  constructor(message: string, options: { status: number; cause?: unknown; rateLimited?: boolean; retryAfterSec?: number }) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.rateLimited = options.rateLimited ?? false;
    if (options.retryAfterSec !== undefined) this.retryAfterSec = options.retryAfterSec;
  }
}

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** Wraps whatever octokit threw into a GitHubError saying what we were doing. */
export function toGitHubError(what: string, error: unknown): GitHubError {
  if (error instanceof GitHubError) return error;
  const e = (error ?? {}) as RequestErrorLike;
  const status = typeof e.status === 'number' ? e.status : 0;
  const headers = e.response?.headers ?? {};
  const retryAfter = headers['retry-after'] !== undefined ? Number(headers['retry-after']) : undefined;
  const rateLimited = (status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || retryAfter !== undefined || /rate limit/i.test(String(e.message ?? '')));
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  // A 422's reasons are in `errors` (strings, or objects with a message): "Unprocessable Entity" alone says nothing.
  const reasons = Array.isArray(data?.errors)
    ? data.errors.map((r: unknown) => (typeof r === 'string' ? r : typeof (r as { message?: unknown })?.message === 'string' ? (r as { message: string }).message : JSON.stringify(r)))
    : [];
  const detail = typeof data?.message === 'string' ? `${data.message}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}` : String(e.message ?? error);
  return new GitHubError(`${what}: GitHub answered ${status || 'nothing'}: ${firstLine(detail)}`, {
    status,
    cause: error,
    rateLimited,
    ...(retryAfter !== undefined && Number.isFinite(retryAfter) ? { retryAfterSec: retryAfter } : {}),
  });
}

/** Runs `fn`, rethrowing any failure as a GitHubError. */
export async function withGitHubErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toGitHubError(what, error);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
