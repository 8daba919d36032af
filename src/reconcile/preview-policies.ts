/**
 * A pull request is planned against production, but the PR also stands for its own preview
 * environment (`pr-<n>`) when `previews.enabled` is set. Rules that only apply to previews (the
 * per-preview budget, for example) are judged on the preview's own synthesis and cost, and their
 * results join the PR's policy results, named as the preview's.
 */
import type { LoadedApp } from '../config/load.ts';
import type { PolicyResult, PolicySet } from '../policy/index.ts';
import { planApp } from './plan-app.ts';

export function previewPolicyResults(input: {
  app: LoadedApp;
  pullRequest: number;
  production: PolicyResult[];
  policies: PolicySet;
  sha: string;
}): PolicyResult[] {
  if (!input.app.config.previews?.enabled) return [];
  const environment = `pr-${input.pullRequest}`;
  // The preview is created from nothing, so it is planned against an empty base.
  const preview = planApp({ app: input.app, environment, base: null, policies: input.policies, sha: input.sha });
  const notApplicableInProduction = new Set(input.production.filter((r) => r.notApplicable).map((r) => r.ruleId));
  return preview.policies
    .filter((r) => !r.notApplicable && notApplicableInProduction.has(r.ruleId))
    .map((r) => ({ ...r, message: `preview ${environment}: ${r.message}` }));
}
