/**
 * `evaluateApp`: the one per-app evaluation. One app, one environment, one commit, against what is
 * deployed: resolve the environment, synthesize with the commit's sha (so every `${sha}` image and
 * `build:` tag is `:<sha>`), diff against the base — or, given Terraform's own plan of that
 * document against the real state, take it instead and price from what it says exists —
 * estimate and diff the cost, evaluate the policies. Pure (data in, data out) and synchronous: `slipway plan`, the push job, the
 * pull-request job, preview policies and the Terraform runner all call it, so they cannot disagree
 * about what a commit means.
 */
import { createHash } from 'node:crypto';
import { resolveEnvironment, type LoadedApp } from '../config/load.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { CostUsage } from '../cost/estimate-cost.ts';
import type { CostDiff, CostEstimate } from '../cost/types.ts';
import { diffTerraform } from '../plan/diff-terraform.ts';
import type { PlanSource, TerraformPlan } from '../plan/plan-source.ts';
import { planToTerraformJson } from '../plan/plan-to-terraform-json.ts';
import { withComponents } from '../plan/with-components.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Plan } from '../plan/types.ts';
import { evaluatePolicies, type PolicyResult, type PolicySet } from '../policy/index.ts';
import { componentOf } from '../synth/component-of.ts';
import { synthesize, type SynthOptions } from '../synth/synthesize.ts';
import { estimateCostDiff } from './estimate-cost-diff.ts';

export type EvaluateAppInput = {
  /** The app as loaded from its paas.yaml at the commit (config, file, line map). */
  app: LoadedApp;
  /** `production`, a named environment, or a preview `pr-<n>`. Unknown: UnknownEnvironmentError. */
  environment: string;
  /** The commit evaluated: `${sha}` in images and `build:` tags become it. */
  sha: string;
  /** The Terraform JSON last applied to this app and environment; null when nothing is. */
  base: TerraformJson | null;
  /** The rules (and their params) to judge the result by; without them, no policy is evaluated. */
  policies?: Pick<PolicySet, 'rules' | 'params'>;
  /** Usage figures for usage-priced resources, by address, component or `*`. */
  usage?: CostUsage;
  /** Where state, artifacts and the platform are (defaults: synthesis's); the sha is `sha`. */
  synth?: Omit<SynthOptions, 'sha'>;
  /** The synthesis to use (default: the AWS kinds'); the runner's tests give the terraform_data kinds. */
  synthesize?: SynthesizeApp;
  /** This app, environment and commit already synthesized (synthesizeApp): not synthesized again. */
  synthesized?: { config: ResolvedConfig; terraform: TerraformJson };
  /**
   * Terraform's own plan of the synthesized document against the real state: shown, priced (its
   * `before` side is what exists) and judged instead of the diff from `base`.
   */
  terraformPlan?: TerraformPlan;
  /** Why there is no Terraform plan, when one was asked for (the report says it). */
  inferredBecause?: string;
  /** The paas.yaml path policy locations name (default `app.file`; the CLI prefixes its folder). */
  file?: string;
};

export type AppEvaluation = {
  app: LoadedApp;
  environment: string;
  sha: string;
  /** The config with the environment's overrides merged in. */
  config: ResolvedConfig;
  /** The desired document: what the runner applies and the deployment records. */
  terraform: TerraformJson;
  /** sha256 of `JSON.stringify(terraform)` (the document's bytes, keys sorted by synthesis). */
  configHash: string;
  /** base → desired, or Terraform's plan when one was given. */
  plan: Plan;
  /** Which of the two `plan` is, and why. */
  planSource: PlanSource;
  /** Monthly estimate of the desired document; absent when it could not be estimated (see notes). */
  cost?: CostEstimate;
  costDiff: CostDiff;
  /** One result per rule; empty when no policies were given. */
  policies: PolicyResult[];
  /** Said about this app in reports (cost not estimated, …), each naming the app. */
  notes: string[];
};

/** Config + options → Terraform JSON (`synthesize` with the AWS kinds, unless a test gives its own). */
export type SynthesizeApp = (config: ResolvedConfig, options: SynthOptions) => TerraformJson;

export function evaluateApp(input: EvaluateAppInput): AppEvaluation {
  const { app, environment, sha, terraformPlan } = input;
  const { config, terraform } = input.synthesized ?? synthesizeApp(input);
  const plan = terraformPlan ? withComponents(terraformPlan.plan, terraform, componentOf) : diffTerraform(input.base, terraform, { componentOf });
  const planSource: PlanSource = terraformPlan?.source ?? { kind: 'inferred', ...(input.inferredBecause ? { reason: input.inferredBecause } : {}) };
  // Terraform's plan says what exists (its `before` side); the inferred diff assumes the base does.
  const base = terraformPlan ? planToTerraformJson(terraformPlan.plan, 'before') : input.base;
  const { cost, costDiff, note } = estimateCostDiff({ base, desired: terraform, region: config.region, usage: input.usage, componentOf });
  const notes = note ? [`${app.config.name}: ${note}`] : [];
  const policies = input.policies
    ? evaluatePolicies({
        config,
        environment,
        terraform,
        plan,
        cost,
        costDiff: cost ? costDiff : undefined,
        rules: input.policies.rules,
        params: input.policies.params,
        locate: (path) => app.locate(path),
        file: input.file ?? app.file,
        componentOf,
      })
    : [];
  return { app, environment, sha, config, terraform, configHash: configHash(terraform), plan, planSource, cost, costDiff, policies, notes };
}

/** The desired document alone (what evaluateApp diffs): the environment resolved, synthesized at the commit. */
export function synthesizeApp(input: Pick<EvaluateAppInput, 'app' | 'environment' | 'sha' | 'synth' | 'synthesize'>): { config: ResolvedConfig; terraform: TerraformJson } {
  const config = resolveEnvironment(input.app.config, input.environment);
  return { config, terraform: (input.synthesize ?? synthesize)(config, { ...input.synth, sha: input.sha }) };
}

/** sha256 (hex) of the document's JSON text: equal hashes, equal bytes. */
export function configHash(terraform: TerraformJson): string {
  return createHash('sha256').update(JSON.stringify(terraform)).digest('hex');
}
