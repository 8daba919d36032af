/**
 * `renderJson`: the report as data, for scripts and the API. Plans are already redacted by the
 * builders, so this never carries a sensitive value either.
 */
import { scrubSecrets } from '../plan/sensitive.ts';
import { planSourceLine } from './plan-source-line.ts';
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
      ...(app.configHash ? { configHash: app.configHash } : {}),
      ...(app.planSource ? { planSource: { ...app.planSource, ...(app.planSource.kind === 'inferred' && app.planSource.reason ? { reason: scrubSecrets(app.planSource.reason) } : {}), line: planSourceLine(app.planSource) } } : {}),
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
    // Policy messages may quote values from the configuration: scrub anything credential-shaped.
    policies: (input.policies ?? []).map((p) => ({
      ...p,
      message: scrubSecrets(p.message),
      remediation: scrubSecrets(p.remediation),
      ...(p.faults ? { faults: p.faults.map((f) => ({ ...f, message: scrubSecrets(f.message) })) } : {}),
    })),
    recommendations: input.recommendations ?? [],
    notes: (input.notes ?? []).map(scrubSecrets),
  };
}

export function renderJson(input: ReportInput): string {
  return `${JSON.stringify(reportJson(input), null, 2)}\n`;
}
