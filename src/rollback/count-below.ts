/**
 * In an ascending array: how many values are below x (at most x with `orEqual`) — the index of
 * the first value at or after x (after x). Binary search; used for ranks and for time windows.
 */
export function countBelow(sorted: ArrayLike<number>, x: number, orEqual = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (orEqual && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
