/** The Terraform runner's public surface (see docs/runner.md). */
export { createRunner, describeRunner, type Runner, type CreateRunnerInput } from './create-runner.ts';
export { speculativePlan, speculativeTimeoutMs, type SpeculativePlanInput, type SpeculativePlanResult } from './speculative-plan.ts';
export { terraformPlanOf, terraformPlanSource } from './terraform-plan-of.ts';
export { runDeployment, type RunnerDeps, type RunDeploymentInput, type RunDeploymentResult, type GuardVerdict } from './run-deployment.ts';
export { recoverInterrupted, interruptIfFree, interruptedReason } from './interrupt-abandoned.ts';
export { findTerraform, minimumVersion, type TerraformBinary } from './find-terraform.ts';
export { RunnerError, CancelRun, type RunnerErrorCode } from './runner-error.ts';
export { workspaceName, type Workspace } from './workspace.ts';
