/**
 * What `slipway apply` does once its arguments are read: for each app, resolve the environment,
 * synthesize it at the commit, record a deployment (so `slipway logs` and `slipway deployments`
 * show it, in the same store the service uses when DATABASE_URL is shared), and hand it to the
 * Terraform runner, the same `runDeployment` the service will call. Before anything is applied,
 * the plan Terraform made is reported (as `slipway plan` prints it, with its cost), the policies
 * are evaluated on it (an error-level result blocks, as on GitHub), and a person confirms unless
 * `--auto-approve` is given, which a `deploy: manual` environment refuses.
 */
import type { LoadedApp } from '../config/load-apps.ts';
import { resolveEnvironment } from '../config/resolve-environment.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { TerraformPlan } from '../plan/plan-source.ts';
import type { PolicySet } from '../policy/index.ts';
import { judgeTerraformPlan } from '../evaluate/judge-terraform-plan.ts';
import { renderText } from '../report/render-text.ts';
import { runDeployment, type RunDeploymentResult, type RunnerDeps } from '../runner/run-deployment.ts';
import { terraformPlanSource } from '../runner/terraform-plan-of.ts';
import { getOrCreateApp } from '../store/apps.ts';
import { createDeployment } from '../store/deployments.ts';
import { getOrCreateEnvironment } from '../store/environments.ts';
import { localRepository } from '../store/local-repository.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';

export type DeployAppsInput = {
  apps: LoadedApp[];
  environment: string;
  /** The repository's full name (`acme/shop`) the deployments are recorded under. */
  repository: string;
  /** The commit deployed (`${sha}` in images). */
  sha: string;
  synthesize: (config: ResolvedConfig, options: { sha: string }) => TerraformJson | Promise<TerraformJson>;
  policies: PolicySet;
  autoApprove: boolean;
  /** Asks a person; absent without a terminal. */
  ask?: (question: string) => Promise<string>;
  actor: string;
  signal?: AbortSignal;
  out: (text: string) => void;
};

export type DeployAppsOutcome = { refused: string } | { results: Array<{ app: string; result: RunDeploymentResult }> };

export async function deployApps(deps: RunnerDeps, input: DeployAppsInput): Promise<DeployAppsOutcome> {
  const resolved = input.apps.map((app) => ({ app, config: resolveEnvironment(app.config, input.environment) }));
  // Refuse before anything is recorded or planned.
  const manual = resolved.filter((r) => r.config.deploy?.mode === 'manual').map((r) => r.config.name);
  if (input.autoApprove && manual.length > 0) {
    return { refused: `${manual.join(', ')} ${manual.length > 1 ? 'deploy' : 'deploys'} ${input.environment} manually (deploy: manual): a person confirms the plan; run without --auto-approve in a terminal` };
  }
  if (!input.autoApprove && !input.ask) return { refused: 'nobody to ask: stdin is not a terminal; pass --auto-approve to apply without confirming' };

  const results: Array<{ app: string; result: RunDeploymentResult }> = [];
  for (const { app, config } of resolved) {
    const after = config.deploy?.after ?? [];
    if (after.length > 0) input.out(`${config.name}: deploy.after (${after.join(', ')}) is not checked by slipway apply: make sure those checks passed on ${input.sha}\n`);
    const terraformJson = await input.synthesize(config, { sha: input.sha });
    const deployment = await recordDeployment(deps, input, config, terraformJson);
    const result = await runDeployment(deps, {
      deploymentId: deployment.id,
      terraformJson,
      workspace: { app: config.name, environment: input.environment },
      actor: input.actor,
      ...(input.signal ? { signal: input.signal } : {}),
      approve: (plan) => approve(input, app, config, terraformJson, { plan, source: terraformPlanSource(deps.runner, { speculative: false }) }),
    });
    input.out(outcomeText(config.name, input.environment, result));
    results.push({ app: config.name, result });
  }
  return { results };
}

async function recordDeployment(deps: RunnerDeps, input: DeployAppsInput, config: ResolvedConfig, terraformJson: TerraformJson) {
  const repository = await localRepository(deps.db, input.repository);
  const app = await getOrCreateApp(deps.db, { repositoryId: repository.id, name: config.name });
  const environment = await getOrCreateEnvironment(deps.db, { appId: app.id, name: input.environment });
  return createDeployment(deps.db, {
    appId: app.id,
    environmentId: environment.id,
    commitSha: input.sha,
    trigger: 'cli',
    terraformJson,
    actor: input.actor,
    reason: 'slipway apply',
  });
}

/** The report, the policies on Terraform's plan, then a person's yes (or --auto-approve). */
async function approve(input: DeployAppsInput, app: LoadedApp, config: ResolvedConfig, terraformJson: TerraformJson, terraformPlan: TerraformPlan): Promise<true | string> {
  const judged = judgeTerraformPlan({ app, config, environment: input.environment, terraformJson, terraformPlan, policies: input.policies, sha: input.sha });
  input.out(renderText({ apps: [{ name: config.name, environment: input.environment, plan: terraformPlan.plan, cost: judged.cost }], headSha: input.sha, policies: judged.policies, notes: judged.notes }));
  if (judged.blocking.length > 0) return `blocked by policy: ${judged.blocking.map((r) => r.ruleId).join(', ')}`;
  if (input.autoApprove) return true;
  const answer = await input.ask!(`\nApply these changes to ${config.name} (${input.environment})? Only 'yes' applies: `);
  return answer.trim() === 'yes' ? true : 'not confirmed';
}

function outcomeText(app: string, environment: string, result: RunDeploymentResult): string {
  const lines = [`\n${app} · ${environment}: ${result.status}${result.reason ? ` (${result.reason})` : ''}`];
  if (result.failure) {
    lines.push(`  ${result.failure.step} failed${result.failure.address ? ` at ${result.failure.address}` : ''}: ${result.failure.message}`);
    if (result.failure.detail) lines.push(...result.failure.detail.split('\n').map((l) => `    ${l}`));
  }
  for (const [name, output] of Object.entries(result.outputs ?? {})) {
    lines.push(`  ${name} = ${output.sensitive ? '(sensitive)' : typeof output.value === 'string' ? output.value : JSON.stringify(output.value)}`);
  }
  lines.push(`  log: slipway logs ${result.deploymentId}`);
  return `${lines.join('\n')}\n`;
}
