/**
 * `renderJson`: the report as data, for scripts and the API. Plans are already redacted by the
 * builders, so this never carries a sensitive value either.
 */
import { summaryLine, totals, warningsFor, type ReportInput } from './report-input.ts';

export type ReportJson = ReturnType<typeof reportJson>;

export function reportJson(input: ReportInput) {
  const t = totals(input.apps);
  return {
    headSha: input.headSha,
    final: input.final ?? false,
    summary: { line: summaryLine(t), counts: t.counts, monthlyBefore: t.before, monthlyAfter: t.after, delta: t.delta, deltaPercent: t.deltaPercent },
    apps: input.apps.map((app) => ({
      name: app.name,
      environment: app.environment,
      warnings: warningsFor(app).map((w) => ({ address: w.address, text: w.text.replaceAll('**', ''), inferred: w.inferred ?? false })),
      plan: app.plan,
      cost: {
        before: app.cost.before.monthly,
        after: app.cost.after.monthly,
        delta: app.cost.delta,
        deltaPercent: app.cost.deltaPercent,
        byComponent: app.cost.byComponent ?? {},
        lines: app.cost.lines,
        unpriced: app.cost.after.unpriced,
        usageBased: app.cost.after.usageBased,
        estimate: app.cost.after,
      },
    })),
    policies: input.policies ?? [],
    recommendations: input.recommendations ?? [],
    notes: input.notes ?? [],
  };
}

export function renderJson(input: ReportInput): string {
  return `${JSON.stringify(reportJson(input), null, 2)}\n`;
}
