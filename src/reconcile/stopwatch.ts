/**
 * Where a job's time went, for its outcome line: `lap(name)` closes the current stretch under
 * that name (stretches with the same name add up), `toString()` lists them in first-seen order,
 * e.g. `fetch 61 ms, plan 9 ms, record 5 ms`.
 */
export function stopwatch(now: () => number = () => performance.now()) {
  let last = now();
  const laps = new Map<string, number>();
  return {
    lap(name: string): void {
      const t = now();
      laps.set(name, (laps.get(name) ?? 0) + (t - last));
      last = t;
    },
    toString(): string {
      return [...laps].map(([name, ms]) => `${name} ${Math.round(ms)} ms`).join(', ');
    },
  };
}
