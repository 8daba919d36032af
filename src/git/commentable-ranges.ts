/**
 * The lines of a file's NEW version that a pull request review comment may be placed on: the right
 * side of the diff's hunks (added lines plus the unchanged lines shown around them, `context` of
 * them, 3 as GitHub shows; hunks closer than 2 × context lines are merged, as git does). GitHub
 * refuses (422) a review comment on any other line.
 *
 * Lines are compared whole, end of line included (like git: `a` without a final newline differs
 * from `a\n`). The edit script is a minimal one (Myers). Where the same lines repeat, more than one
 * minimal alignment exists and git (with its sliding and indent heuristic) may pick another: a
 * group of changes that could slide (see `compact`) only counts the lines it shows in EVERY
 * position, so a line returned here is in GitHub's hunks whichever position its diff picked. Past `maxEdits` changed
 * lines the diff is not worked out and null says so (no line is known to be commentable).
 */
export type LineRange = {
  /** First line, 1-based. */
  start: number;
  /** Last line, inclusive. */
  end: number;
};

export function commentableRanges(
  oldText: string | null,
  newText: string,
  options: { context?: number; maxEdits?: number } = {},
): LineRange[] | null {
  const context = options.context ?? 3;
  const a = splitLines(oldText ?? '');
  const b = splitLines(newText);
  const changes = diffLines(a, b, options.maxEdits ?? 1000);
  if (!changes) return null;
  const { deleted, added } = changes;
  // Each side's groups of changes at their lowest position, with how high they could sit instead.
  const oldGroups = compact(a, deleted);
  const newGroups = compact(b, added);
  // Unchanged lines pair up in order: the r-th unchanged old line is the r-th unchanged new line.
  const unchangedNew: number[] = [];
  for (let j = 0; j < b.length; j++) if (!added[j]) unchangedNew.push(j);
  const newAtRank = (r: number) => (r < unchangedNew.length ? unchangedNew[r]! : unchangedNew.length > 0 ? unchangedNew.at(-1)! + 1 : 0);
  const unchangedOldBefore: number[] = [0];
  for (let i = 0; i < a.length; i++) unchangedOldBefore.push(unchangedOldBefore[i]! + (deleted[i] ? 0 : 1));
  // Half-open [from, to) intervals of 0-based new lines that every position of a group shows.
  const covered: Array<[number, number]> = [];
  for (const g of newGroups) covered.push([g.start - context, g.earliestEnd + context]);
  for (const g of oldGroups) {
    // A deletion shows the new lines around where it sits: at its lowest and its highest position.
    const rank = unchangedOldBefore[g.start]!;
    const lowest = newAtRank(rank);
    const highest = newAtRank(rank - (g.end - g.earliestEnd));
    covered.push([lowest - context, highest + context]);
  }
  // Half-open [from, to) intervals of 0-based new lines, clipped, merged when they touch.
  const ranges: LineRange[] = [];
  for (const [from0, to0] of covered.sort((x, y) => x[0] - y[0])) {
    const from = Math.max(0, from0);
    const to = Math.min(b.length, to0);
    if (to <= from) continue;
    const last = ranges.at(-1);
    if (last && from <= last.end) last.end = Math.max(last.end, to);
    else ranges.push({ start: from + 1, end: to });
  }
  return ranges;
}

/** Whether lines `start`..`end` (1-based, inclusive) all lie in ONE of the ranges. */
export function withinOneRange(ranges: readonly LineRange[], start: number, end = start): boolean {
  return ranges.some((r) => r.start <= start && end <= r.end);
}

/** Lines with their end-of-line characters; no empty last element. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Group = { start: number; end: number; earliestEnd: number };

/**
 * git's change compaction (xdiff's xdl_change_compact, without the choice among positions): each
 * group of changed lines slides up while the line above equals its last line, then down while the
 * line below equals its first, merging with the groups it meets. Groups end at their lowest
 * position (`changed` is updated); `earliestEnd` is where the group would end at its highest.
 */
function compact(lines: string[], changed: boolean[]): Group[] {
  const groups: Group[] = [];
  const n = lines.length;
  let next = 0;
  for (;;) {
    let start = next;
    while (start < n && !changed[start]) start++;
    if (start >= n) return groups;
    let end = start;
    while (end < n && changed[end]) end++;
    let earliestEnd: number;
    let size: number;
    do {
      size = end - start;
      while (start > 0 && lines[start - 1] === lines[end - 1]) {
        changed[--start] = true;
        changed[--end] = false;
        if (start > 0 && changed[start - 1]) {
          // Merged with the group above: it is part of this one now.
          groups.pop();
          while (start > 0 && changed[start - 1]) start--;
        }
      }
      earliestEnd = end;
      while (end < n && lines[start] === lines[end]) {
        changed[start++] = false;
        changed[end++] = true;
        while (end < n && changed[end]) end++;
      }
    } while (size !== end - start);
    groups.push({ start, end, earliestEnd });
    next = end;
  }
}

/**
 * A minimal edit script (Myers' O(ND) greedy algorithm) after trimming the common head and tail:
 * which lines of `a` are deleted and which of `b` added. Null past `maxEdits`.
 */
function diffLines(a: string[], b: string[], maxEdits: number): { deleted: boolean[]; added: boolean[] } | null {
  const deleted = new Array<boolean>(a.length).fill(false);
  const added = new Array<boolean>(b.length).fill(false);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  // Lines as numbers: comparing ints in the inner loop, not strings.
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const x = a.slice(head, a.length - tail).map(idOf);
  const y = b.slice(head, b.length - tail).map(idOf);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) {
    for (let i = 0; i < n; i++) deleted[head + i] = true;
    for (let j = 0; j < m; j++) added[head + j] = true;
    return { deleted, added };
  }
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let j = i - k;
      while (i < n && j < m && x[i] === y[j]) {
        i++;
        j++;
      }
      v[offset + k] = i;
      if (i >= n && j >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return null;
  // Walk back through the saved frontiers, marking each step's deletion or insertion.
  let i = n;
  let j = m;
  for (let d = found; d > 0; d--) {
    // trace[d] is the frontier before step d, sliced so that diagonal k sits at k + d + 1.
    const prev = trace[d]!;
    const at = (k: number) => prev[k + d + 1]!;
    const k = i - j;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevI = at(prevK);
    const prevJ = prevI - prevK;
    if (down) added[head + prevJ] = true;
    else deleted[head + prevI] = true;
    i = prevI;
    j = prevJ;
  }
  return { deleted, added };
}
