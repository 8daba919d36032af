/**
 * A report's apps, policy results and notes, taken from per-app evaluations (evaluateApp) as they
 * are: the plan and cost diff the evaluation made, never a second diff. With several apps, each
 * policy message names its app.
 */
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import type { ReportInput } from './report-input.ts';

export function reportEvaluations(evaluations: readonly AppEvaluation[]): Required<Pick<ReportInput, 'apps' | 'policies' | 'notes'>> {
  const many = evaluations.length > 1;
  return {
    apps: evaluations.map((e) => ({ name: e.app.config.name, environment: e.environment, plan: e.plan, planSource: e.planSource, cost: e.costDiff, configHash: e.configHash })),
    policies: evaluations.flatMap((e) => (many ? e.policies.map((r) => ({ ...r, message: `${e.app.config.name}: ${r.message}` })) : e.policies)),
    notes: evaluations.flatMap((e) => e.notes),
  };
}
