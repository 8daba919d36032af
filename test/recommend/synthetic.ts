/** Series built so that the expected answers follow from their construction. */
import type { Sample } from '../../src/recommend/types.ts';

export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;
/** Monday 2026-01-05 00:00 UTC. */
export const monday = Date.UTC(2026, 0, 5);

export function series(count: number, stepMs: number, value: (i: number, t: number) => number, start = monday): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) out.push({ t: start + i * stepMs, v: value(i, start + i * stepMs) });
  return out;
}

/** Deterministic noise in [-1, 1) (a linear congruential generator), so tests never flake. */
export function noise(seed = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

export function isBusinessHour(t: number): boolean {
  const date = new Date(t);
  const d = date.getUTCDay();
  const h = date.getUTCHours();
  return d >= 1 && d <= 5 && h >= 8 && h < 20;
}
