/**
 * The runner's one error class, matched on its code. Terraform's own errors are not thrown: they
 * become a deployment `failure` (see failure-from.ts).
 */
export type RunnerErrorCode =
  /** `SLIPWAY_TERRAFORM` names something that is not there. */
  | 'terraform_not_found'
  /** Older than the oldest version the runner drives (see minimumVersion). */
  | 'terraform_too_old'
  /** It runs but does not answer `version -json` as Terraform or OpenTofu do. */
  | 'terraform_unusable'
  /** `SLIPWAY_TERRAFORM_CONFIG` cannot be read. */
  | 'cli_config_unreadable';

export class RunnerError extends Error {
  readonly code: RunnerErrorCode;
  constructor(code: RunnerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunnerError';
    this.code = code;
  }
}

/**
 * The reason to abort a run with (`controller.abort(new CancelRun('superseded', 'newer push abc'))`):
 * the deployment ends with that status. A plain abort (shutdown, Ctrl-C) ends it `cancelled` before
 * it applies, `interrupted` while it applies. A `superseded` abort never stops an apply in progress.
 */
export class CancelRun extends Error {
  readonly status: 'cancelled' | 'superseded';
  constructor(status: 'cancelled' | 'superseded', reason: string) {
    super(reason);
    this.name = 'CancelRun';
    this.status = status;
  }
}
