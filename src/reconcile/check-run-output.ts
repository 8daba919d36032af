/**
 * The `slipway` check run for a commit, from what the reconcile found (pure). Conclusion:
 * neutral when the commit has no paas.yaml, failure for config errors or an error-level policy
 * failure (annotated on the paas.yaml line that caused it), success otherwise. It says plainly that
 * no Terraform runner is configured: the deployment is planned, not applied.
 */
import { formatConfigError, type ConfigError } from '../config/load.ts';
import type { CheckAnnotation, CheckConclusion } from '../github/index.ts';
import type { PolicyResult } from '../policy/index.ts';
import { money, signedMoney } from '../report/format.ts';
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import { isBlocking } from '../policy/summarize-results.ts';

export const checkRunName = 'slipway';

export type CheckOutput = { conclusion: CheckConclusion; title: string; summary: string; text?: string; annotations: CheckAnnotation[] };

export const noRunnerNote = 'No Terraform runner is configured: the deployment is recorded as planned, not applied.';

export function noConfigCheck(sha: string): CheckOutput {
  return {
    conclusion: 'neutral',
    title: 'No paas.yaml in this commit',
    summary: `Slipway found no \`paas.yaml\` at ${sha.slice(0, 12)}: nothing to deploy.`,
    annotations: [],
  };
}

export function staleCheck(sha: string, newer: string): CheckOutput {
  return {
    conclusion: 'skipped',
    title: 'Superseded by a newer commit',
    summary: `${sha.slice(0, 12)} is an ancestor of ${newer.slice(0, 12)}, which is already deployed: an older commit is never deployed over a newer one.`,
    annotations: [],
  };
}

export function configErrorAnnotations(errors: ConfigError[]): CheckAnnotation[] {
  return errors.map((e) => ({
    path: e.file,
    start_line: e.line,
    end_line: e.line,
    start_column: e.column,
    end_column: e.column,
    annotation_level: 'failure' as const,
    title: e.path ? `paas.yaml: ${e.path}` : 'paas.yaml',
    message: e.hint ? `${e.message} (${e.hint})` : e.message,
  }));
}

export function policyAnnotations(results: PolicyResult[], fallbackFile: string): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'error') continue;
    const level = isBlocking(r) ? ('failure' as const) : ('warning' as const);
    const faults = r.faults && r.faults.length > 0 ? r.faults : [{ resource: r.resources.join(', '), message: r.message, location: r.location }];
    for (const f of faults) {
      const at = f.location ?? r.location;
      out.push({
        path: at?.file ?? fallbackFile,
        start_line: at?.line ?? 1,
        end_line: at?.endLine ?? at?.line ?? 1,
        annotation_level: level,
        title: `policy ${r.ruleId}`,
        message: `${f.message}${r.remediation ? ` — fix: ${r.remediation}` : ''}${r.approvable ? ` (or comment /slipway approve ${r.ruleId} on a pull request)` : ''}`,
      });
    }
  }
  return out;
}

export function pushCheck(input: { sha: string; plans: AppEvaluation[]; unchanged: string[]; configErrors: ConfigError[]; note?: string }): CheckOutput {
  const { plans, configErrors } = input;
  const blocking = plans.flatMap((p) => p.policies.filter(isBlocking).map((r) => ({ app: p.app.config.name, r })));
  const annotations = [...configErrorAnnotations(configErrors), ...plans.flatMap((p) => policyAnnotations(p.policies, p.app.file))];
  const failed = configErrors.length > 0 || blocking.length > 0;
  const lines: string[] = [];
  for (const p of plans) {
    const counts = countChanges(p);
    lines.push(
      `- **${p.app.config.name}** (${p.app.file}, ${p.environment}): ${counts}; ${money(p.costDiff.after.monthly)}/month (${signedMoney(p.costDiff.delta)})${blockingOf(p)}`,
    );
  }
  for (const name of input.unchanged) lines.push(`- ${name}: unchanged since the last deployment`);
  if (configErrors.length > 0) lines.push('', '**Config errors**', ...configErrors.map((e) => `- \`${formatConfigError(e)}\``));
  if (blocking.length > 0) lines.push('', '**Blocking policy results**', ...blocking.map(({ app, r }) => `- ${app}: \`${r.ruleId}\` ${r.message}`));
  lines.push('', input.note ?? noRunnerNote);
  const title = configErrors.length > 0
    ? `${configErrors.length} config error(s) in paas.yaml`
    : blocking.length > 0
      ? `${blocking.length} blocking policy result(s)`
      : plans.length === 0
        ? 'Nothing changed'
        : `Planned ${plans.length} app(s); not applied (no Terraform runner)`;
  return { conclusion: failed ? 'failure' : 'success', title, summary: lines.join('\n'), annotations };
}

function countChanges(p: AppEvaluation): string {
  const counts: Record<string, number> = {};
  for (const r of p.plan.resources) if (r.action !== 'no-op') counts[r.action] = (counts[r.action] ?? 0) + 1;
  const parts = Object.entries(counts).map(([a, n]) => `${n} to ${a}`);
  return parts.length === 0 ? 'no changes' : parts.join(', ');
}

function blockingOf(p: AppEvaluation): string {
  const n = p.policies.filter(isBlocking).length;
  return n > 0 ? `; ${n} blocking policy result(s)` : '';
}
