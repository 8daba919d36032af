/**
 * The policy check right before a push's deployment applies: the rules of the commit (built-in,
 * the server's, the repository's at that commit) judged on Terraform's own plan, with the
 * approvals given on the repository's pull requests (`/slipway approve`) matched by the failing
 * result's fingerprint. An error-level result neither passed nor approved refuses the apply (the
 * run ends `cancelled`, `blocked by policy: <ids>`).
 */
import { resolveEnvironment } from '../config/resolve-environment.ts';
import type { Deps } from '../deps.ts';
import { judgeTerraformPlan } from '../evaluate/judge-terraform-plan.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Plan } from '../plan/types.ts';
import { approvalAction, type Approval } from '../policy/index.ts';
import { fetchCommit, loadAppsAtCommit } from '../commit/read-commit.ts';
import { repositoryPolicies } from '../commit/repository-policies.ts';
import type { Runner } from '../runner/create-runner.ts';
import { terraformPlanSource } from '../runner/terraform-plan-of.ts';
import { auditDetailsUnder } from '../store/audit-log.ts';
import type { DeploymentListing } from '../store/deployment-runs.ts';

export async function policyApproval(
  deps: Deps,
  deployment: DeploymentListing,
  input: { cloneUrl: string; terraformJson: TerraformJson; runner: Pick<Runner, 'terraform'> },
): Promise<(plan: Plan) => Promise<true | string>> {
  const sha = deployment.commitSha;
  const repoKey = String(deployment.repositoryId);
  const { token } = await deps.github.installationToken(deployment.installationId);
  await fetchCommit(deps.git, { repoKey, url: input.cloneUrl, token, sha });
  const loaded = await loadAppsAtCommit(deps.git, repoKey, sha);
  const app = loaded.apps.find((a) => a.config.name === deployment.app);
  if (!app) return async () => `${deployment.app} has no paas.yaml at ${sha.slice(0, 12)} any more`;
  const policies = await repositoryPolicies(deps, repoKey, sha);
  const approvals = (await auditDetailsUnder(deps.store.db, { action: approvalAction, subjectPrefix: `${deployment.repository}#` })).filter(
    (d): d is Approval => typeof d?.ruleId === 'string' && typeof d.headSha === 'string' && typeof d.resultFingerprint === 'string',
  );
  const config = resolveEnvironment(app.config, deployment.environment);
  return async (plan) => {
    const terraformPlan = { plan, source: terraformPlanSource(input.runner, { speculative: false }) };
    const judged = judgeTerraformPlan({ app, config, environment: deployment.environment, terraformJson: input.terraformJson, terraformPlan, policies, approvals, sha });
    return judged.blocking.length > 0 ? `blocked by policy: ${judged.blocking.map((r) => r.ruleId).join(', ')}` : true;
  };
}
