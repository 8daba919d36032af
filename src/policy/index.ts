/** The policy engine's public surface. */
export { evaluatePolicies, type EvaluateInput } from './evaluate.ts';
export { loadPolicyFiles, loadPolicyFile, formatPolicyError, maxPolicyFileBytes, type PolicyFileError, type LoadedPolicies, type PolicyOverride } from './load-policy-files.ts';
export {
  builtinRules, loadServerPolicies, readPolicyFolder, rulesForPullRequest, policyFilesChangedInPr, policyChangeNotice,
  combinePolicies, isRepositoryPolicyFile, repositoryPolicyDir, PolicyLoadError, type PolicySet,
} from './sources.ts';
export { parseApprovalCommand, applyApprovals, staleApprovals, approvalAction, type Approval } from './approvals.ts';
export { fingerprint } from './fingerprint.ts';
export type { PolicyRule, PolicyFile, Condition } from './rule-schema.ts';
export type { PolicyResult, PolicyFault, Severity } from './types.ts';
export { isBlocking, summarizePolicyResults, type PolicySummary } from './summarize-results.ts';
