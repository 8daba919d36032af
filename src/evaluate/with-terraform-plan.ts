/**
 * An evaluation made again with Terraform's own plan in place of the inferred diff: the same
 * document (not synthesized again), priced from what Terraform says exists and judged by the same
 * rules, through evaluateApp. The push job uses it once the runner has planned a deployment, so
 * its check run shows, prices and judges Terraform's plan (`source` says which plan a report shows).
 */
import type { TerraformPlan } from '../plan/plan-source.ts';
import { evaluateApp, type AppEvaluation, type EvaluateAppInput } from './evaluate-app.ts';

export function withTerraformPlan(evaluation: AppEvaluation, terraformPlan: TerraformPlan, options: Pick<EvaluateAppInput, 'policies' | 'usage' | 'file'> = {}): AppEvaluation {
  const { app, environment, sha, config, terraform } = evaluation;
  return evaluateApp({ app, environment, sha, base: null, synthesized: { config, terraform }, terraformPlan, ...options });
}
