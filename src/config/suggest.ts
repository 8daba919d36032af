/** "did you mean `memory`?": the closest allowed word by edit distance, when it is close enough. */

/** Edit distance counting a swap of two neighbouring letters as one edit (`wbe` → `web`, `form` → `from`). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j += 1) rows[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/** The closest candidate within a distance that scales with the word's length (case-insensitive), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue; // cannot be close; also keeps hostile long words cheap
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `a, b or c`. */
export function listWords(words: readonly string[], quote = true): string {
  const q = words.map((w) => (quote ? `\`${w}\`` : w));
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** "did you mean `x`?" when one is close, else the allowed list (when short enough to read). */
export function suggestion(word: string, allowed: readonly string[]): string | undefined {
  const near = closest(word, allowed);
  if (near) return `did you mean \`${near}\`?`;
  if (allowed.length === 0) return undefined;
  return allowed.length <= 16 ? `allowed: ${allowed.join(', ')}` : undefined;
}
