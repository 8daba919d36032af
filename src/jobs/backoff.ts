/**
 * Delay before retry `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`, with "full
 * jitter" (a random delay between half and all of it) so that jobs failing together do not retry
 * together. https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export type BackoffOptions = { baseMs?: number; maxMs?: number; random?: () => number };

export function backoffMs(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 1_000, maxMs = 10 * 60_000, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
