/**
 * Leave-one-trace-out selection. Every tuned setting is chosen among a small grid by a rule
 * applied to the other traces only, then scored on the trace left out: those are the held-out
 * figures. The choice on all traces is what the engine ships (its defaults), scored in-sample.
 */
import type { AnomalyResult } from './anomalies.ts';
import { anomalyOverall } from './anomalies.ts';
import { capacityOverall, type CapacityResult } from './capacity.ts';

/** The index of the setting the rule picks from each setting's results on the given traces. */
export type Rule<R> = (resultsBySetting: R[][]) => number;

export type Fold = { trace: string; setting: number };

/** For each trace, the setting the rule picks on the others. */
export function leaveOneOut<R>(traces: readonly string[], results: R[][], rule: Rule<R>): Fold[] {
  return traces.map((trace, h) => ({ trace, setting: rule(results.map((rows) => rows.filter((_, k) => k !== h))) }));
}

/**
 * Anomaly settings: the most labelled windows found among those whose false alarms per day stay
 * within the rate asked for (none does: the fewest false alarms); ties to fewer false alarms.
 */
export function anomalyRule(perDay: number): Rule<AnomalyResult> {
  return (bySetting) => {
    const scored = bySetting.map((rows, i) => ({ i, ...anomalyOverall(rows).engine }));
    const within = scored.filter((s) => s.perDay <= perDay + 1e-12);
    const pool = within.length > 0 ? within : scored;
    pool.sort((a, b) => (within.length > 0 ? b.found - a.found : 0) || a.perDay - b.perDay || a.i - b.i);
    return pool[0].i;
  };
}

/**
 * Breach budget, by the goals in order: the fewest traces breaching more than 2 % of intervals,
 * then ≤ 1 % overall, then the cheapest (then the smaller budget). A trace that outgrows the max
 * (load beyond 3 × its history's peak) breaches whatever the budget; counting traces over 2 %
 * rather than the worst trace's rate keeps one such trace from forcing the strictest budget on all.
 */
export const capacityRule: Rule<CapacityResult> = (bySetting) => {
  const scored = bySetting.map((rows, i) => ({ i, over: rows.filter((r) => r.engine.breachRate > 0.02).length, ...capacityOverall(rows).engine }));
  scored.sort((a, b) => a.over - b.over || Number(a.breachRate > 0.01) - Number(b.breachRate > 0.01) || a.costVsPeak - b.costVsPeak || a.i - b.i);
  return scored[0].i;
};
