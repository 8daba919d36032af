/**
 * Terraform's own plan of a pull request's document against production's real state, when a
 * runner is configured: speculative (`-lock=false`, a folder of its own, never applied, state never
 * written; see runner/speculative-plan.ts). Where Terraform cannot plan (no runner, `init` failing
 * offline, no credentials) the answer is why, and the report shows the inferred diff with it.
 */
import type { Deps } from '../deps.ts';
import type { EvaluateAppInput } from '../evaluate/evaluate-app.ts';
import { scrubSecrets } from '../plan/sensitive.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { speculativePlan } from '../runner/speculative-plan.ts';
import type { Workspace } from '../runner/workspace.ts';

export const noRunnerReason = 'no Terraform runner is configured';

export async function speculativeTerraformPlan(
  deps: Pick<Deps, 'runner' | 'log'>,
  input: { workspace: Workspace; terraform: TerraformJson; signal?: AbortSignal },
): Promise<Pick<EvaluateAppInput, 'terraformPlan' | 'inferredBecause'>> {
  if (!deps.runner) return { inferredBecause: noRunnerReason };
  let result;
  try {
    result = await speculativePlan(deps.runner, { workspace: input.workspace, terraformJson: input.terraform, ...(input.signal ? { signal: input.signal } : {}) });
  } catch (error) {
    input.signal?.throwIfAborted();
    // The runner itself failed (its folder cannot be made, say): the PR still gets its comment.
    const message = scrubSecrets(error instanceof Error ? error.message : String(error));
    deps.log(`runner: speculative plan of ${input.workspace.app}.${input.workspace.environment} failed: ${message}`);
    return { inferredBecause: `Terraform could not plan: the runner failed: ${message}` };
  }
  if (result.ok) return { terraformPlan: { plan: result.plan, source: result.source } };
  // A shutdown mid-plan: the job is retried, not reported with a fallback.
  input.signal?.throwIfAborted();
  return { inferredBecause: `Terraform could not plan: ${result.reason}` };
}
