/**
 * The check run a verdict puts on the deployed commit: its conclusion (pass → success,
 * inconclusive → neutral, regression → failure), a title, and the evidence as a table a product
 * engineer can read: per metric the medians before and after, the rise, the p-value and the
 * samples; and what was done about it (rolled back, the commit held; or why not).
 */
import type { CheckConclusion } from '../github/report-check-run.ts';
import type { DeployVerdict } from './judge-deploy.ts';
import type { MetricEvidence } from './judge-metric.ts';

export type VerdictAction =
  | { kind: 'none' }
  | { kind: 'watching'; nextCheckAt: Date }
  | { kind: 'rolled-back'; deploymentId: number; status: string; targetId: number; targetSha: string; held?: string }
  | { kind: 'not-rolled-back'; reason: string };

export type VerdictCheckOutput = { status: 'in_progress' | 'completed'; conclusion?: CheckConclusion; title: string; summary: string; text: string };

const conclusionOf = { pass: 'success', inconclusive: 'neutral', regression: 'failure' } as const;

export function verdictCheckOutput(input: { app: string; environment: string; deploymentId: number; checkpoint: number; checkpoints: number; watch: string; verdict: DeployVerdict; final: boolean; action: VerdictAction }): VerdictCheckOutput {
  const { verdict, action } = input;
  const done = input.final;
  const where = `${input.app} (${input.environment})`;
  const title = !done
    ? verdict.verdict === 'regression'
      ? `Watching ${where}: a possible regression, to be confirmed by the next check (check ${input.checkpoint} of ${input.checkpoints})`
      : `Watching ${where}: no regression so far (check ${input.checkpoint} of ${input.checkpoints})`
    : verdict.verdict === 'regression'
      ? action.kind === 'rolled-back'
        ? `Regression in ${where}: rolled back`
        : `Regression in ${where}`
      : verdict.verdict === 'pass'
        ? `${where} passed its ${input.watch} watch`
        : `${where}: inconclusive after ${input.watch}`;
  const lines = [`Deployment ${input.deploymentId}, check ${input.checkpoint} of ${input.checkpoints} of a ${input.watch} watch: **${verdict.verdict}**. ${verdict.reason}.`];
  if (action.kind === 'rolled-back') {
    lines.push(`\nRolled back to deployment ${action.targetId} (commit ${action.targetSha.slice(0, 7)}) by deployment ${action.deploymentId}: ${action.status}.${action.held ? ` Commit ${action.held.slice(0, 7)} is held: auto deploys skip it until a newer commit lands.` : ''}`);
  } else if (action.kind === 'not-rolled-back') {
    lines.push(`\nNot rolled back: ${action.reason}.`);
  } else if (action.kind === 'watching') {
    lines.push(`\nNext check at ${action.nextCheckAt.toISOString()}.`);
  }
  if (verdict.verdict === 'inconclusive') lines.push('\nAn inconclusive verdict never rolls back.');
  if (verdict.notRecorded.length > 0) lines.push(`\nNot recorded, not judged: ${verdict.notRecorded.join(', ')}.`);
  return {
    status: done ? 'completed' : 'in_progress',
    ...(done ? { conclusion: conclusionOf[verdict.verdict] } : {}),
    title,
    summary: lines.join('\n'),
    text: evidenceTable(verdict.metrics),
  };
}

function evidenceTable(metrics: readonly MetricEvidence[]): string {
  if (metrics.length === 0) return 'No metric had samples to judge.';
  const rows = metrics.map((m) =>
    [
      `${m.service} ${m.metric}`,
      m.verdict,
      m.median ? num(m.median.before) : '—',
      m.median ? num(m.median.after) : '—',
      m.effect === undefined ? '—' : Number.isFinite(m.effect) ? `${m.effect >= 0 ? '+' : ''}${(m.effect * 100).toFixed(1)} %` : 'from 0',
      m.p === undefined ? '—' : m.p.toPrecision(2),
      `${m.samples.before} / ${m.samples.after}`,
      m.seasonalFactor === undefined ? '—' : `×${m.seasonalFactor.toFixed(2)}`,
    ].join(' | '),
  );
  return [
    '| metric | verdict | median before | median after | rise | p-value | samples before / after | weekly factor |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    'The rise is what the verdict measures against its threshold; the p-value is a one-sided Mann–Whitney U test of "after is higher" (see docs/rollback.md).',
  ].join('\n');
}

function num(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
