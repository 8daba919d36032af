/**
 * The verdict as a status of the GitHub Deployment it judged (shown on the environment's page and
 * the PR's timeline): `success` with "healthy" for a pass, `failure` with the metric and its rise
 * for a regression (and the rollback), `success` with "inconclusive" and why (the deploy stays: an
 * inconclusive verdict never rolls back). GitHub keeps 140 characters of a description.
 */
import type { DeploymentState } from '../github/set-deployment-status.ts';
import type { DeployVerdict } from './judge-deploy.ts';
import type { MetricEvidence } from './judge-metric.ts';
import type { VerdictAction } from './verdict-check-output.ts';

export function verdictDeploymentStatus(verdict: DeployVerdict, action: VerdictAction, watch: string): { state: DeploymentState; description: string } {
  if (verdict.verdict === 'pass') return { state: 'success', description: clip(`Verdict after its ${watch} watch: healthy (${verdict.metrics.map(named).join(', ')} did not get worse)`) };
  if (verdict.verdict === 'inconclusive') return { state: 'success', description: clip(`Verdict after its ${watch} watch: inconclusive, not rolled back: ${verdict.reason}`) };
  const worst = verdict.metrics.filter((m) => m.verdict === 'regression').sort((a, b) => (b.effect ?? 0) - (a.effect ?? 0))[0];
  const what = worst ? `${named(worst)} ${rise(worst)}` : verdict.reason;
  const done = action.kind === 'rolled-back' ? `; rolled back to ${action.targetSha.slice(0, 7)}` : action.kind === 'not-rolled-back' ? '; not rolled back' : '';
  return { state: 'failure', description: clip(`Regressed: ${what}${done}`) };
}

/** The metric's rise as the verdict measured it: "+80.0 % (median 200 → 360)". */
export function rise(m: MetricEvidence): string {
  const on = m.effectOf === 'mean' ? m.mean : m.median;
  const by = m.effect === undefined ? '' : Number.isFinite(m.effect) ? `${m.effect >= 0 ? '+' : ''}${(m.effect * 100).toFixed(1)} %` : 'up from 0';
  return on ? `${by} (${m.effectOf ?? 'median'} ${num(on.before)} → ${num(on.after)})` : by;
}

const named = (m: Pick<MetricEvidence, 'metric' | 'service'>) => `${m.metric} of ${m.service}`;

function num(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function clip(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}
