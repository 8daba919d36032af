/**
 * Whether the checks a deployment waits for (`deploy.after`) let it apply (pure): each named check
 * run or commit status must have succeeded on the commit. A check run that ended neutral or
 * skipped passes, as GitHub's required checks treat it; any other end fails; one not reported yet,
 * or still running, is pending.
 */
import type { CommitCheck } from '../github/index.ts';

export type ChecksVerdict =
  | { state: 'success' }
  | { state: 'pending'; pending: string[] }
  | { state: 'failure'; name: string; conclusion: string };

const passing = new Set(['success', 'neutral', 'skipped']);

export function judgeRequiredChecks(after: readonly string[], checks: readonly CommitCheck[]): ChecksVerdict {
  const pending: string[] = [];
  for (const name of after) {
    // A check run of that name counts first (GitHub Actions), else a commit status (other CI).
    const check = checks.find((c) => c.name === name && c.kind === 'check_run') ?? checks.find((c) => c.name === name && c.kind === 'status');
    if (!check || check.state === 'pending') pending.push(name);
    else if (!passing.has(check.state)) return { state: 'failure', name, conclusion: check.state };
  }
  return pending.length > 0 ? { state: 'pending', pending } : { state: 'success' };
}
