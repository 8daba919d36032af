/**
 * What a failed Terraform command becomes: a deployment `failure` naming the step, Terraform's
 * first error (its summary, detail, and the resource address it is about) or, for text output
 * (init), its first `Error:` line, or how the command ended.
 */
import type { DeploymentFailure } from '../store/schema.ts';
import type { Redactor } from './redact.ts';
import type { TerraformRun } from './run-terraform.ts';

export function failureFrom(run: TerraformRun, redactor: Redactor, timeoutMs: number): DeploymentFailure {
  const step = run.step;
  if (run.stopped === 'timeout') return { step, message: `terraform ${step} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped` };
  if (run.stopped === 'cancelled') return { step, message: `terraform ${step} was cancelled` };
  const first = run.errors[0];
  if (first) {
    const address = first.address ?? run.erroredAddress;
    return {
      step,
      message: redactor.redact(first.summary),
      ...(address ? { address } : {}),
      ...(first.detail ? { detail: redactor.redact(first.detail.trim()) } : {}),
    };
  }
  // Text output (init): Terraform prints "Error: <summary>" then the detail.
  const at = run.lastLines.findIndex((line) => line.startsWith('Error: '));
  if (at >= 0) {
    const detail = run.lastLines.slice(at + 1).join('\n').trim();
    return { step, message: redactor.redact(run.lastLines[at]!.slice('Error: '.length)), ...(detail ? { detail: redactor.redact(detail) } : {}) };
  }
  const how = run.exitSignal ? `was killed by ${run.exitSignal}` : `exited with code ${run.exitCode}`;
  return { step, message: `terraform ${step} ${how}`, ...(run.lastLines.length > 0 ? { detail: redactor.redact(run.lastLines.slice(-5).join('\n')) } : {}) };
}

/**
 * Terraform refused a saved plan because the state changed since it was made. Terraform gives its
 * diagnostics no codes; this summary is the one it (and OpenTofu) print for exactly this case, and
 * the runner's tests apply a really stale plan to hold it to that.
 */
export function isStalePlan(run: TerraformRun): boolean {
  return run.errors.some((d) => d.summary === 'Saved plan is stale');
}
