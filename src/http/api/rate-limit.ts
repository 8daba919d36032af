/**
 * Requests a minute per token, in this process: a fixed window per token id. Enough to stop a
 * runaway script; several web processes each count their own share.
 */
export type RateLimiter = (key: string) => { ok: true } | { ok: false; retryAfterSeconds: number };

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return (key) => {
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      // Forget old windows now and then, so idle tokens do not pile up.
      if (windows.size > 10_000) for (const [k, v] of windows) if (t - v.start >= 60_000) windows.delete(k);
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count += 1;
    if (w.count > perMinute) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000)) };
    return { ok: true };
  };
}
