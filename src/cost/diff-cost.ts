/** `diffCost`: the monthly cost change between two estimates, per resource, per component and in total. */
import { summarizeEstimate, unassigned } from './estimate-cost.ts';
import type { CostDiff, CostDiffLine, CostEstimate } from './types.ts';

export function diffCost(before: CostEstimate | null, after: CostEstimate): CostDiff {
  const base = before ?? summarizeEstimate(after.region, []);
  const old = new Map(base.lines.map((line) => [line.address, line]));
  const lines: CostDiffLine[] = [];
  const seen = new Set<string>();
  for (const line of after.lines) {
    seen.add(line.address);
    const prior = old.get(line.address);
    const b = prior?.monthly ?? 0;
    lines.push({
      address: line.address,
      ...(line.component ?? prior?.component ? { component: line.component ?? prior?.component } : {}),
      type: line.type,
      before: b,
      after: line.monthly,
      delta: line.monthly - b,
      usageBased: line.usageBased,
      priced: line.priced,
      inBefore: prior !== undefined,
      inAfter: true,
    });
  }
  for (const prior of base.lines) {
    if (seen.has(prior.address)) continue;
    lines.push({
      address: prior.address,
      ...(prior.component ? { component: prior.component } : {}),
      type: prior.type,
      before: prior.monthly,
      after: 0,
      delta: -prior.monthly,
      usageBased: prior.usageBased,
      priced: prior.priced,
      inBefore: true,
      inAfter: false,
    });
  }
  const byComponent: NonNullable<CostDiff['byComponent']> = {};
  for (const line of lines) {
    const key = line.component ?? unassigned;
    const sum = (byComponent[key] ??= { before: 0, after: 0, delta: 0 });
    sum.before += line.before;
    sum.after += line.after;
    sum.delta += line.delta;
  }
  const delta = after.monthly - base.monthly;
  return {
    before: base,
    after,
    delta,
    deltaPercent: base.monthly === 0 ? null : (delta / base.monthly) * 100,
    lines,
    byComponent,
  };
}
