/**
 * Approvals, the pure part: reading `/slipway approve <rule-id>` from a comment, and applying
 * recorded approvals to results. Checking the commenter's permission, recording the approval in
 * the audit log and re-evaluating are the GitHub App's job.
 */
import type { PolicyResult } from './types.ts';

export type Approval = {
  ruleId: string;
  /** The PR head sha the approval was given at. */
  headSha: string;
  /** The fingerprint of the failing result that was approved. */
  resultFingerprint: string;
};

/** The audit log's action for a recorded approval (its details are an `Approval`). */
export const approvalAction = 'policy.approve';

const command = /^\s*\/slipway\s+approve\b(.*)$/i;
const ruleId = /^[a-z][a-z0-9-]{1,63}$/;

/**
 * The rule ids of every `/slipway approve <id> [<id>...]` line of a comment, or null when there is
 * none. Lines inside fenced code blocks and quoted lines (`> ...`, as in a reply quoting an earlier
 * approval) are not commands. Ids may be separated by spaces or commas.
 */
export function parseApprovalCommand(body: string): { ruleIds: string[] } | null {
  const ruleIds: string[] = [];
  let found = false;
  let fenced = false;
  for (const line of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^\s*>/.test(line)) continue;
    const match = command.exec(line);
    if (!match) continue;
    const ids = match[1].split(/[\s,]+/).filter(Boolean);
    const valid = ids.filter((id) => ruleId.test(id));
    if (valid.length === 0) continue;
    found = true;
    for (const id of valid) if (!ruleIds.includes(id)) ruleIds.push(id);
  }
  return found ? { ruleIds } : null;
}

/**
 * Failing, approvable results whose current fingerprint matches an approval become `approved`.
 * A new push that changes a result's facts changes its fingerprint, so the approval given for the
 * old facts no longer matches: that result fails again, while approvals of unchanged results
 * carry over to the new head. Errors (a rule that could not be evaluated) are never approvable.
 */
export function applyApprovals(results: PolicyResult[], approvals: Approval[], headSha: string): PolicyResult[] {
  return results.map((result) => {
    if (result.status !== 'fail' || !result.approvable || !result.fingerprint) return result;
    const matching = approvals.filter((approval) => approval.ruleId === result.ruleId && approval.resultFingerprint === result.fingerprint);
    if (matching.length === 0) return result;
    // Prefer the approval given at the current head, for the message; any matching one suffices.
    const approval = matching.find((a) => a.headSha === headSha) ?? matching[matching.length - 1];
    const carried = approval.headSha === headSha ? '' : ` (unchanged since ${approval.headSha.slice(0, 7)})`;
    return { ...result, status: 'approved', approvedAt: approval.headSha, message: `approved at ${approval.headSha.slice(0, 7)}${carried}: ${result.message}` };
  });
}

/** Approvals that no longer match any current result (their result changed or went away): for the comment. */
export function staleApprovals(results: PolicyResult[], approvals: Approval[]): Approval[] {
  const current = new Set(results.filter((r) => r.fingerprint).map((r) => `${r.ruleId}\u0000${r.fingerprint}`));
  return approvals.filter((approval) => !current.has(`${approval.ruleId}\u0000${approval.resultFingerprint}`));
}
