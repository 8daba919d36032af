import type { Action, Plan, ResourceChange } from './types.ts';

export const actions: readonly Action[] = ['create', 'update', 'replace', 'delete', 'no-op', 'read'];

/** Count of resources per action (every action present, zero when none). */
export function summarizePlan(resources: readonly ResourceChange[]): Record<Action, number> {
  const summary = { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 } as Record<Action, number>;
  for (const resource of resources) summary[resource.action]++;
  return summary;
}

/** A plan with nothing in it: what "no changes" looks like. */
export function emptyPlan(source: Plan['source'] = 'diff'): Plan {
  return { source, resources: [], summary: summarizePlan([]) };
}
