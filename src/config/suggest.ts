/** "did you mean `memory`?": the closest allowed word by edit distance, when it is close enough. */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The closest candidate within a distance that scales with the word's length (case-insensitive), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
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
