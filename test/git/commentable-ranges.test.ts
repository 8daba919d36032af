import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commentableRanges, withinOneRange, type LineRange } from '../../src/git/commentable-ranges.ts';
import { fileDiff, type DiffHunk } from '../harness/git-diff-hunks.ts';

const linesOf = (ranges: readonly LineRange[]) => ranges.flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i));
const gitLinesOf = (hunks: readonly DiffHunk[]) => hunks.flatMap((h) => Array.from({ length: h.newLines }, (_, i) => h.newStart + i));
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `key${i + 1}: ${i + 1}\n`);

describe('commentableRanges', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-ranges-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The right-side lines of real `git diff -U3` hunks between two texts. */
  async function gitLines(oldText: string, newText: string): Promise<number[]> {
    await writeFile(join(dir, 'old'), oldText);
    await writeFile(join(dir, 'new'), newText);
    return gitLinesOf((await fileDiff(join(dir, 'old'), join(dir, 'new'))).hunks);
  }

  it('gives a changed line with 3 lines of context either side, like git', async () => {
    const old = numbered(20);
    const changed = old.map((l, i) => (i === 9 ? 'key10: changed\n' : l));
    assert.deepEqual(commentableRanges(old.join(''), changed.join('')), [{ start: 7, end: 13 }]);
    assert.deepEqual(linesOf(commentableRanges(old.join(''), changed.join(''))!), await gitLines(old.join(''), changed.join('')));
  });

  it('merges changes at most 6 unchanged lines apart into one hunk, and splits them at 7', async () => {
    const old = numbered(40);
    const edit = (a: number, b: number) => old.map((l, i) => (i === a - 1 || i === b - 1 ? `changed ${i}\n` : l)).join('');
    assert.deepEqual(commentableRanges(old.join(''), edit(10, 17)), [{ start: 7, end: 20 }]);
    assert.deepEqual(commentableRanges(old.join(''), edit(10, 18)), [{ start: 7, end: 13 }, { start: 15, end: 21 }]);
    for (const [a, b] of [[10, 17], [10, 18]] as const) assert.deepEqual(linesOf(commentableRanges(old.join(''), edit(a, b))!), await gitLines(old.join(''), edit(a, b)));
  });

  it('covers a new file whole, an unchanged file not at all, a deletion by the lines around it, and a lost final newline', async () => {
    const text = numbered(12).join('');
    assert.deepEqual(commentableRanges(null, text), [{ start: 1, end: 12 }]);
    assert.deepEqual(commentableRanges(text, text), []);
    const without8 = numbered(12).filter((_, i) => i !== 7).join('');
    assert.deepEqual(commentableRanges(text, without8), [{ start: 5, end: 10 }]);
    assert.deepEqual(linesOf(commentableRanges(text, without8)!), await gitLines(text, without8));
    const noNewline = text.replace(/\n$/, '');
    assert.deepEqual(commentableRanges(text, noNewline), [{ start: 9, end: 12 }]);
    assert.deepEqual(linesOf(commentableRanges(text, noNewline)!), await gitLines(text, noNewline));
  });

  it('gives up (null) past maxEdits instead of working out a huge diff', () => {
    const old = numbered(50).join('');
    const rewritten = numbered(50).map((l) => `x${l}`).join('');
    assert.equal(commentableRanges(old, rewritten, { maxEdits: 20 }), null);
    assert.deepEqual(commentableRanges(old, rewritten), [{ start: 1, end: 50 }]);
  });

  it('never claims a line git leaves out of its hunks, however the lines repeat (random edits against git diff)', async () => {
    let seed = 20261127;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    // Few distinct lines, as YAML repeats them (blank lines, `type: web`): alignments are ambiguous.
    const vocab = ['\n', 'a\n', 'b\n', '  type: web\n', '    cpu: 1\n', 'c\n', '# x\n'];
    let exact = 0;
    const cases = 250;
    for (let n = 0; n < cases; n++) {
      const old = Array.from({ length: Math.floor(random() * 40) }, () => pick(vocab));
      const next = [...old];
      for (let e = 0, edits = 1 + Math.floor(random() * 4); e < edits; e++) {
        const at = Math.floor(random() * (next.length + 1));
        const r = random();
        if (r < 0.33) next.splice(at, 0, pick(vocab));
        else if (r < 0.66) next.splice(at, 1);
        else next.splice(at, 1, pick(vocab));
      }
      const oldText = old.join('');
      const newText = random() < 0.2 ? next.join('').replace(/\n$/, '') : next.join('');
      const ours = linesOf(commentableRanges(oldText, newText)!);
      const git = await gitLines(oldText, newText);
      const extra = ours.filter((l) => !git.includes(l));
      assert.deepEqual(extra, [], `lines outside git's hunks for ${JSON.stringify(oldText)} → ${JSON.stringify(newText)}`);
      if (ours.length === git.length) exact++;
    }
    // Conservative only where the alignment is ambiguous: most cases match git exactly.
    assert.ok(exact > cases * 0.8, `${exact} of ${cases} exact`);
  });

  it('matches git exactly when lines do not repeat (random edits against git diff)', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let fresh = 1000;
    for (let n = 0; n < 100; n++) {
      const old = numbered(Math.floor(random() * 60));
      const next = [...old];
      for (let e = 0, edits = 1 + Math.floor(random() * 5); e < edits; e++) {
        const at = Math.floor(random() * (next.length + 1));
        const r = random();
        if (r < 0.33) next.splice(at, 0, `new${fresh++}\n`);
        else if (r < 0.66) next.splice(at, 1);
        else next.splice(at, 1, `new${fresh++}\n`);
      }
      assert.deepEqual(linesOf(commentableRanges(old.join(''), next.join(''))!), await gitLines(old.join(''), next.join('')));
    }
  });
});

describe('withinOneRange', () => {
  it('needs the whole span inside one range', () => {
    const ranges = [{ start: 3, end: 9 }, { start: 11, end: 20 }];
    assert.equal(withinOneRange(ranges, 3), true);
    assert.equal(withinOneRange(ranges, 10), false);
    assert.equal(withinOneRange(ranges, 5, 9), true);
    assert.equal(withinOneRange(ranges, 8, 12), false);
    assert.equal(withinOneRange([], 1), false);
  });
});
