/** What GitHub's `x-ratelimit-*` headers say about the limit a request counted against. */
export type RateLimit = { remaining: number; limit: number; resetAt: number };

export function rateLimitOf(headers: Record<string, string | number | undefined> | undefined): RateLimit | undefined {
  const remaining = Number(headers?.['x-ratelimit-remaining']);
  const limit = Number(headers?.['x-ratelimit-limit']);
  const reset = Number(headers?.['x-ratelimit-reset']);
  if (!Number.isFinite(remaining) || !Number.isFinite(limit)) return undefined;
  return { remaining, limit, resetAt: Number.isFinite(reset) ? reset * 1000 : 0 };
}
