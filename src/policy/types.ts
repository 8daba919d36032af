/** What a policy evaluation returns per rule; the report, check run and CLI render this. */
export type Severity = 'error' | 'warning';

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
  location?: { file: string; line: number; column: number };
  /** Where the rule came from: `builtin:<pack>`, `repo:<path>`, `server:<path>`. */
  source: string;
};
