/**
 * What a set of results adds up to, the same for the CLI exit code, the check run conclusion and
 * the PR comment: a failing error-level rule blocks, and so does a rule that could not be
 * evaluated (an error result must never read as a pass).
 */
import type { PolicyResult } from './types.ts';

export function isBlocking(result: PolicyResult): boolean {
  return result.status === 'error' || (result.status === 'fail' && result.severity === 'error');
}

export type PolicySummary = {
  blocking: PolicyResult[];
  warnings: PolicyResult[];
  approved: PolicyResult[];
  passed: PolicyResult[];
  notApplicable: PolicyResult[];
  /** Failing results that an approval could lift (`/slipway approve <id>`). */
  awaitingApproval: PolicyResult[];
  conclusion: 'success' | 'failure';
};

export function summarizePolicyResults(results: PolicyResult[]): PolicySummary {
  const blocking = results.filter(isBlocking);
  return {
    blocking,
    warnings: results.filter((r) => r.status === 'fail' && r.severity === 'warning'),
    approved: results.filter((r) => r.status === 'approved'),
    passed: results.filter((r) => r.status === 'pass' && !r.notApplicable),
    notApplicable: results.filter((r) => r.status === 'pass' && r.notApplicable === true),
    awaitingApproval: results.filter((r) => r.status === 'fail' && r.approvable === true),
    conclusion: blocking.length > 0 ? 'failure' : 'success',
  };
}
