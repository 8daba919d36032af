/** What a policy evaluation returns per rule; the report, check run and CLI render this. */
export type Severity = 'error' | 'warning';

/** One subject (resource, plan change, config entry, cost figure) a rule found at fault. */
export type PolicyFault = {
  /** Terraform address or paas.yaml path. */
  resource: string;
  /** What is wrong, e.g. "storage_encrypted is false; expected true". */
  message: string;
  location?: { file: string; line: number; column: number; endLine?: number };
};

export type PolicyResult = {
  ruleId: string;
  description: string;
  severity: Severity;
  /** `error` here means the rule itself threw or could not be evaluated: reported, never passed. */
  status: 'pass' | 'fail' | 'error' | 'approved';
  message: string;
  remediation: string;
  /** Terraform addresses or paas.yaml paths at fault. */
  resources: string[];
  /** Where in paas.yaml the fault was caused, when it can be traced. */
  location?: { file: string; line: number; column: number; endLine?: number };
  /** Where the rule came from: `builtin:<pack>`, `repo:<path>`, `server:<path>`. */
  source: string;
  /**
   * Stable hash of rule id + resources at fault + the facts that made them fail. Set on failing
   * results; an approval recorded against one fingerprint stays valid only while it is unchanged.
   */
  fingerprint?: string;
  /** Per-resource detail of a failure (one entry per resource at fault). */
  faults?: PolicyFault[];
  /** The rule asks for an approval (`/slipway approve <rule-id>`) rather than a fix. */
  requiresApproval?: boolean;
  /** A failing result that an approval can turn into `approved`. */
  approvable?: boolean;
  /** Set with status `approved`: the head sha the approval was given at. */
  approvedAt?: string;
  /** Status `pass` because the rule had nothing to judge (no plan, no cost, a setting left unset). */
  notApplicable?: boolean;
};
