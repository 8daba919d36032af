/**
 * Policy patterns (`matches:`) run on RE2JS, a pure-JavaScript port of RE2: matching takes time
 * linear in the value whatever the pattern, so a default-branch policy cannot freeze the service
 * with a backtracking pattern such as `^(a|aa)+$` (JavaScript's `RegExp` took 17 s on 41
 * characters). Being pure JavaScript it also runs in a Worker. What RE2 cannot run in linear time
 * (lookaround, backreferences) it refuses to compile: that is a located error in the policy file,
 * never a fallback to `RegExp`.
 *
 * RE2's cost grows with the size of the compiled program, which counted repetition multiplies
 * (`\w{1000}` is a thousand copies of `\w`): a first match then builds a large automaton (about
 * 0.2 s for `(?i)\w{0,1000}`). The counts of one pattern may add up to `maxRepetition`, which
 * keeps that first match under about 0.1 s and still allows a length check such as `^.{1,255}$`.
 */
import { RE2JS } from 're2js';

export type Pattern = { test: (value: string) => boolean };

export const maxRepetition = 256;

export class PatternError extends Error {
  readonly code = 'PATTERN_UNSUPPORTED';
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'PatternError';
    this.hint = hint;
  }
}

const syntaxHint = 'patterns use RE2 syntax (github.com/google/re2/wiki/Syntax): no lookaround, no backreferences';

/** Compile a policy pattern, or throw a `PatternError` saying why it cannot run in linear time. */
export function compilePattern(source: string): Pattern {
  const repeated = repetitionTotal(source);
  if (repeated > maxRepetition) {
    throw new PatternError(
      `counted repetitions add up to ${repeated}; at most ${maxRepetition} are allowed`,
      'use + or * instead of a large {n,m}, or split the check into two conditions',
    );
  }
  try {
    return RE2JS.compile(source);
  } catch (error) {
    throw new PatternError(`not a pattern Slipway can run in linear time: ${(error as Error).message}`, hintFor(source));
  }
}

function hintFor(source: string): string {
  if (/\(\?<?[=!]/.test(source)) return `lookahead and lookbehind are not supported; ${syntaxHint}`;
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(source)) return `backreferences (\\1) are not supported; ${syntaxHint}`;
  return syntaxHint;
}

/** The sum of the upper bounds of every `{n}`, `{n,}` and `{n,m}` not escaped by a backslash. */
function repetitionTotal(source: string): number {
  let total = 0;
  for (const match of source.matchAll(/(\\*)\{(\d+)(,(\d*))?\}/g)) {
    if (match[1].length % 2 === 1) continue; // `\{3}` is a literal brace
    total += Number(match[4] || match[2]);
  }
  return total;
}
