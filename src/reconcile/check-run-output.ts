/**
 * The `slipway` check run for a commit, from what the reconcile found (pure). Conclusion:
 * neutral when the commit has no paas.yaml, failure for config errors or an error-level policy
 * failure (annotated on the paas.yaml line that caused it), success otherwise. Each app's line
 * says whose plan it counts (Terraform's, or inferred by Slipway and why). It says plainly that
 * no Terraform runner is configured: the deployment is planned, not applied.
 */
import { formatConfigError, type ConfigError } from '../config/load.ts';
import type { CheckAnnotation, CheckConclusion } from '../github/index.ts';
import type { PolicyResult } from '../policy/index.ts';
import { escapeMarkdown, money, signedMoney } from '../report/format.ts';
import { planSourceLine } from '../report/plan-source-line.ts';
import type { AppEvaluation } from '../evaluate/evaluate-app.ts';
import type { PolicyFileError } from '../policy/index.ts';
import { isBlocking } from '../policy/summarize-results.ts';
import { deployCheckName } from '../deploy/deploy-check-output.ts';
import type { AppScope } from './push-scope.ts';

export const checkRunName = 'slipway';

export type CheckOutput = { conclusion: CheckConclusion; title: string; summary: string; text?: string; annotations: CheckAnnotation[] };

export const noRunnerNote = 'No Terraform runner is configured: the deployment is recorded as planned, not applied.';

export const runnerNote = 'Terraform plans and applies each deployment: see the `slipway deploy` check and the repository\'s Deployments.';

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

export type CheckTrigger = 'push' | 'pull-request';

export type CheckInput = {
  /** A push records and (later) applies; a pull request only plans. */
  trigger: CheckTrigger;
  sha: string;
  evaluations: AppEvaluation[];
  /** Push only: what the push touched and why, per app; the untouched ones are listed as such. */
  scopes?: AppScope[];
  configErrors: ConfigError[];
  /** Repository policy files with errors: their rules were not applied. */
  policyFileErrors?: PolicyFileError[];
  /** Apps whose synthesis threw (a `SynthError`): the check fails with the reason; nothing is recorded. */
  synthFailures?: SynthFailure[];
  /** Push only: a Terraform runner deploys what is recorded (otherwise it is planned, not applied). */
  runner?: boolean;
  /**
   * Push with a runner: where Terraform's plan of each recorded app is shown instead of the inferred
   * diff — its `slipway deploy` check run (named per app when the repository holds several), on
   * the commit's checks page.
   */
  deployChecks?: { checksUrl: string; manyApps: boolean };
};

export type SynthFailure = { app: string; file: string; reason: string };

/** Files named in a "not planned" line; the count says how many more there were. */
const listedPaths = 10;

export function checkOutput(input: CheckInput): CheckOutput {
  const { evaluations, configErrors, trigger } = input;
  const blocking = evaluations.flatMap((p) => p.policies.filter(isBlocking).map((r) => ({ app: p.app.config.name, r })));
  const synthFailures = input.synthFailures ?? [];
  const annotations = [
    ...configErrorAnnotations(configErrors),
    ...synthFailures.map((f) => ({ path: f.file, start_line: 1, end_line: 1, annotation_level: 'failure' as const, title: `cannot synthesize ${f.app}`, message: f.reason })),
    ...evaluations.flatMap((p) => policyAnnotations(p.policies, p.app.file)),
  ];
  const failed = configErrors.length > 0 || blocking.length > 0 || synthFailures.length > 0;
  const scopeOf = (file: string) => input.scopes?.find((s) => s.app.file === file);
  const lines: string[] = [];
  const deployChecks = trigger === 'push' && input.runner ? input.deployChecks : undefined;
  for (const p of evaluations) {
    const scope = scopeOf(p.app.file);
    const blocked = p.policies.some(isBlocking);
    // With a runner, Terraform plans each recorded app in its deploy job: its own check run shows
    // that plan (and how the apply went); the inferred diff is not offered as the plan here.
    const deployCheck = deployChecks && !blocked ? deployCheckName(p.app.config.name, p.environment, deployChecks.manyApps) : undefined;
    const changes = deployCheck ? `Terraform plans and applies it: its plan is in the [\`${deployCheck}\`](${deployChecks!.checksUrl}) check run` : countChanges(p);
    lines.push(
      `- **${p.app.config.name}** (${p.app.file}, ${p.environment}): ${changes}; ${money(p.costDiff.after.monthly)}/month (${signedMoney(p.costDiff.delta)})${blockingOf(p)}${scope ? `. ${whyPlanned(scope)}` : ''}`,
      // Whose plan this is: Terraform's (the runner's or a speculative one) or the inferred diff, and why.
      `  ${deployCheck ? inferredForCostNote : escapeMarkdown(planSourceLine(p.planSource))}`,
    );
  }
  for (const scope of input.scopes ?? []) if (!scope.affected) lines.push(`- **${scope.app.config.name}** (${scope.app.file}): ${whyNotPlanned(scope)}`);
  if (configErrors.length > 0) lines.push('', '**Config errors**', ...configErrors.map((e) => `- \`${formatConfigError(e)}\``));
  if (synthFailures.length > 0) lines.push('', '**Could not synthesize**', ...synthFailures.map((f) => `- **${f.app}** (${f.file}): ${f.reason}`));
  if (blocking.length > 0) lines.push('', '**Blocking policy results**', ...blocking.map(({ app, r }) => `- ${app}: \`${r.ruleId}\` ${r.message}`));
  const policyFileErrors = input.policyFileErrors ?? [];
  if (policyFileErrors.length > 0) {
    lines.push('', 'Repository policy files with errors (their rules were not applied):', ...policyFileErrors.map((e) => `- ${e.file}:${e.line}: ${e.message}`));
  }
  lines.push('', trigger === 'push' ? (input.runner ? runnerNote : noRunnerNote) : pullRequestNote);
  return { conclusion: failed ? 'failure' : 'success', title: titleOf(input, blocking.length), summary: lines.join('\n'), annotations };
}

/** With a runner: what this check's cost and policy results were judged on, until Terraform's plan is in. */
export const inferredForCostNote = 'Cost and policies here: on Slipway\'s inferred diff; the deploy check judges the policies again on Terraform\'s plan before applying';

export const pullRequestNote = 'Pull request: planned against production, nothing recorded or applied.';

function titleOf(input: CheckInput, blocking: number): string {
  const n = input.evaluations.length;
  if (input.configErrors.length > 0) return `${input.configErrors.length} config error(s) in paas.yaml`;
  if ((input.synthFailures?.length ?? 0) > 0) return `${input.synthFailures!.length} app(s) could not be synthesized`;
  if (blocking > 0) return `${blocking} blocking policy result(s)`;
  if (n === 0) return input.trigger === 'push' ? 'No app affected by this push' : 'No app to plan';
  if (input.trigger === 'push') return input.runner ? `Planned ${n} app(s); deploying` : `Planned ${n} app(s); not applied (no Terraform runner)`;
  return `Planned ${n} app(s) (pull request: plan only)`;
}

function whyPlanned(scope: AppScope): string {
  switch (scope.reason) {
    case 'first-deployment':
      return 'Planned: first deployment';
    case 'history-rewritten':
      return `Planned: the deployed commit ${scope.since.slice(0, 12)} is no longer in the repository's history`;
    case 'watched-file-changed':
      return `Planned: \`${scope.path}\` changed (watched by \`${scope.pattern}\`)`;
    case 'no-watched-file-changed':
      return '';
  }
}

function whyNotPlanned(scope: Extract<AppScope, { affected: false }>): string {
  const { changed } = scope;
  const files = changed.length === 0
    ? `no file changed since ${scope.since.slice(0, 12)}`
    : `none of the ${changed.length === 1 ? '1 file' : `${changed.length} files`} changed since ${scope.since.slice(0, 12)} is watched (${changed.slice(0, listedPaths).map((p) => `\`${p}\``).join(', ')}${changed.length > listedPaths ? `, and ${changed.length - listedPaths} more` : ''})`;
  return `not planned: ${files}. It watches ${scope.patterns.map((p) => `\`${p}\``).join(', ')} (add globs under \`watch:\` in its paas.yaml)`;
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
