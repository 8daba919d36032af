/**
 * A pull request is planned against production, but the PR also stands for its own preview
 * environment (`pr-<n>`) when `previews.enabled` is set. Rules that only apply to previews (the
 * per-preview budget, for example) are judged on the preview's own evaluation, and their results
 * join the PR's policy results, named as the preview's.
 */
import { previewEnvironmentName } from '../config/load.ts';
import type { PolicyResult } from '../policy/index.ts';
import { evaluateApp, type AppEvaluation, type EvaluateAppInput } from './evaluate-app.ts';

export function previewPolicyResults(production: AppEvaluation, input: { pullRequest: number; policies: NonNullable<EvaluateAppInput['policies']>; synthesize?: EvaluateAppInput['synthesize'] }): PolicyResult[] {
  const { app, sha } = production;
  if (!app.config.previews?.enabled) return [];
  const environment = previewEnvironmentName(input.pullRequest);
  // The preview is created from nothing, so it is evaluated against an empty base.
  const preview = evaluateApp({ app, environment, sha, base: null, policies: input.policies, synthesize: input.synthesize });
  const notApplicableInProduction = new Set(production.policies.filter((r) => r.notApplicable).map((r) => r.ruleId));
  return preview.policies
    .filter((r) => !r.notApplicable && notApplicableInProduction.has(r.ruleId))
    .map((r) => ({ ...r, message: `preview ${environment}: ${r.message}` }));
}
