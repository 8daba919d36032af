// The hunks of a file's diff as the real git CLI makes them (`git diff -U3 base...head -- path`),
// read from the `@@ -a,b +c,d @@` headers: what GitHub shows on a pull request, and so which lines
// it lets review comments sit on.
import { execFile } from 'node:child_process';
import { runGit } from './git-server.ts';

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

export interface FileDiff {
  hunks: DiffHunk[];
  /** Lines of the patch below its first `@@` header: what the deprecated `position` counts. */
  patchLines: number;
}

/** The diff of `path` between the merge base of `base` and `head`, and `head` (three dots, as a PR shows). */
export async function gitFileDiff(gitDir: string, base: string, head: string, path: string, context = 3): Promise<FileDiff> {
  const out = await runGit(['diff', `-U${context}`, '--no-color', '--no-ext-diff', '--no-renames', `${base}...${head}`, '--', path], gitDir);
  return parseDiff(out);
}

/** The diff of two files on disk (`git diff --no-index`): no repository needed. */
export function fileDiff(oldPath: string, newPath: string, context = 3): Promise<FileDiff> {
  return new Promise((resolve, reject) => {
    const args = ['diff', '--no-index', `-U${context}`, '--no-color', '--no-ext-diff', oldPath, newPath];
    execFile('git', args, { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // --no-index exits 1 when the files differ: an answer, not a failure.
      if (error && error.code !== 1) reject(new Error(`git ${args.join(' ')} failed: ${stderr}`));
      else resolve(parseDiff(stdout));
    });
  });
}

export function parseDiff(diff: string): FileDiff {
  const hunks: DiffHunk[] = [];
  for (const match of diff.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    hunks.push({ oldStart: Number(match[1]), oldLines: match[2] === undefined ? 1 : Number(match[2]), newStart: Number(match[3]), newLines: match[4] === undefined ? 1 : Number(match[4]) });
  }
  const lines = diff.replace(/\n$/, '').split('\n');
  const first = lines.findIndex((l) => l.startsWith('@@'));
  return { hunks, patchLines: first < 0 ? 0 : lines.length - first - 1 };
}

/** The hunk holding line `line` of the given side, if any. */
export function hunkOf(hunks: readonly DiffHunk[], side: 'LEFT' | 'RIGHT', line: number): DiffHunk | undefined {
  return hunks.find((h) => (side === 'RIGHT' ? h.newStart <= line && line < h.newStart + h.newLines : h.oldStart <= line && line < h.oldStart + h.oldLines));
}
