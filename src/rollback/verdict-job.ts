/**
 * One check of a deploy's verdict (a `deploy.verdict` job), in order:
 *  1. the deployment must still be the live one of its environment (a newer deploy ends the watch);
 *  2. read each service's watched metrics (from the store, or Prometheus for those paas.yaml
 *     gives a PromQL query): the baseline before the deploy, the watch up to this
 *     check's time, and both a week earlier (read-verdict-windows.ts);
 *  3. judge them (judge-deploy.ts) and record the verdict with its evidence on the deployment;
 *  4. a regression with `rollback.auto` rolls back through rollBack (the one implementation the
 *     CLI uses), holding the commit; an inconclusive verdict never does;
 *  5. report on the commit's check run, and enqueue the next check until the watch is over; the
 *     final verdict also goes on the GitHub Deployment it judged (a status) and on the commit's PR.
 */
import type { Octokit } from 'octokit';
import { GitHubError } from '../github/github-error.ts';
import { listCommitPulls } from '../github/list-commit-pulls.ts';
import { reportCheckRun } from '../github/report-check-run.ts';
import { setDeploymentStatus, type DeploymentState } from '../github/set-deployment-status.ts';
import { upsertPrComment } from '../github/upsert-pr-comment.ts';
import type { ReadSamples } from '../recommend/sources/store-source.ts';
import type { Runner } from '../runner/create-runner.ts';
import type { Db } from '../store/db.ts';
import { findDeployment, type DeploymentListing } from '../store/deployment-runs.ts';
import { deploymentVerdictsOf, recordVerdict, setVerdictRollback } from '../store/deployment-verdicts.ts';
import { localInstallationId } from '../store/local-repository.ts';
import type { SampleScope } from '../store/metric-samples.ts';
import { appEnvironmentOf, liveDeployment, type AppEnvironment } from '../store/rollback-targets.ts';
import { judgeDeploy, type DeployVerdict } from './judge-deploy.ts';
import { prometheusSamples, prometheusStepSeconds } from './prometheus-samples.ts';
import { readVerdictWindows } from './read-verdict-windows.ts';
import { rollBack } from './roll-back.ts';
import { RollbackRefused } from './rollback-refused.ts';
import { checkTime, enqueueCheck, type VerdictJobPayload } from './schedule-verdict.ts';
import { verdictCheckOutput, type VerdictAction, type VerdictCheckOutput } from './verdict-check-output.ts';
import { verdictDeploymentStatus } from './verdict-deployment-status.ts';
import { checkpointsPerWatch, defaultVerdictSettings, regressionCounts, type VerdictSettings } from './verdict-settings.ts';
import { verdictWindows } from './verdict-windows.ts';

export type VerdictDeps = {
  db: Db;
  /** Absent when this process has no Terraform: the verdict is given, nothing is rolled back. */
  runner?: Runner;
  /** An installation's client, for the check run; absent: nothing is reported on GitHub. */
  octokit?: (installationId: number) => Promise<Octokit>;
  /** The samples of a tenant (the store's). */
  readSamples: (scope: SampleScope) => ReadSamples;
  /** Slipway's Prometheus (`SLIPWAY_PROMETHEUS_URL`), for the metrics paas.yaml reads from it. */
  prometheusUrl?: string;
  log: (message: string) => void;
  settings?: VerdictSettings;
  /** Keep the job's lease while a rollback applies. */
  keepAlive?: () => Promise<unknown>;
};

export type VerdictCheckResult =
  | { skipped: string }
  | { verdict: DeployVerdict; final: boolean; action: VerdictAction; verdictId: number; checkRunId?: number };

export async function runVerdictCheck(deps: VerdictDeps, payload: VerdictJobPayload): Promise<VerdictCheckResult> {
  const { db } = deps;
  const settings = deps.settings ?? defaultVerdictSettings;
  const id = payload.deploymentId;
  // 1. Still live?
  const deployment = await findDeployment(db, id);
  const where = deployment && (await appEnvironmentOf(db, id));
  if (!deployment || !where) return { skipped: `deployment ${id} does not exist` };
  if (deployment.status !== 'succeeded') return { skipped: `deployment ${id} is ${deployment.status}, not succeeded: nothing to judge` };
  const live = await liveDeployment(db, where.environmentId);
  if (live?.id !== id) {
    const reason = `deployment ${live?.id} replaced it before the watch ended`;
    if (payload.checkRunId !== undefined) await report(deps, where, deployment.commitSha, payload, { status: 'completed', conclusion: 'neutral', title: `${where.app} (${where.environment}): watch ended early`, summary: `Deployment ${id}: ${reason}; not judged further.`, text: '' });
    return { skipped: reason };
  }

  // 2-3. Judge the samples up to this check's time.
  const at = checkTime(payload);
  const windows = verdictWindows({ deployedAt: payload.deployedAt, watchMs: payload.rollback.watchMs, now: at }, settings);
  const scope = { installationId: where.installationId, repositoryId: where.repositoryId };
  const fromStore = deps.readSamples(scope);
  const queries = payload.rollback.prometheus ?? {};
  const fromPrometheus = prometheusSamples({ url: deps.prometheusUrl, queries, stepSeconds: prometheusStepSeconds(payload.rollback.watchMs) });
  const read: ReadSamples = (app, service, metric, from, to) => (queries[metric as keyof typeof queries] !== undefined ? fromPrometheus : fromStore)(app, service, metric, from, to);
  const samples = await readVerdictWindows(read, { app: where.app, services: payload.services, metrics: payload.rollback.metrics, windows });
  const verdict = judgeDeploy(samples, settings, payload.rollback.watchMs);
  // A regression counts once enough checks in a row show it (or at the end of the watch).
  let inARow = verdict.verdict === 'regression' ? 1 : 0;
  if (inARow > 0) {
    const earlier = new Map((await deploymentVerdictsOf(db, id)).map((v) => [v.checkpoint, v.verdict]));
    for (let k = payload.checkpoint - 1; earlier.get(k) === 'regression'; k--) inARow++;
  }
  const confirmed = inARow > 0 && regressionCounts(settings, inARow, payload.checkpoint);
  const final = payload.checkpoint >= checkpointsPerWatch || confirmed;
  const { row, created } = await recordVerdict(db, {
    deploymentId: id,
    checkpoint: payload.checkpoint,
    final,
    verdict: verdict.verdict,
    reason: verdict.reason,
    evidence: { metrics: verdict.metrics, notRecorded: verdict.notRecorded, settings, windows, watchMs: payload.rollback.watchMs },
  });

  // 4. A regression rolls back (once: a retried job finds its rollback recorded).
  let action: VerdictAction = { kind: 'none' };
  if (confirmed) {
    if (!payload.rollback.auto) action = { kind: 'not-rolled-back', reason: 'rollback.auto is off for this environment (`slipway rollback` rolls back by hand)' };
    else if (!deps.runner) action = { kind: 'not-rolled-back', reason: 'this Slipway has no Terraform runner' };
    else if (!created && row.rollbackDeploymentId !== null) action = { kind: 'not-rolled-back', reason: `already rolled back by deployment ${row.rollbackDeploymentId}` };
    else action = await rollBackRegression(deps, deps.runner, where, id, verdict, row.id);
  } else if (!final) {
    const next = { ...payload, checkpoint: payload.checkpoint + 1 };
    action = { kind: 'watching', nextCheckAt: new Date(checkTime(next)) };
  }

  // 5. Report, then the next check.
  const output = verdictCheckOutput({ app: where.app, environment: where.environment, deploymentId: id, checkpoint: payload.checkpoint, checkpoints: checkpointsPerWatch, watch: formatWatch(payload.rollback.watchMs), verdict, final, action });
  const checkRunId = await report(deps, where, deployment.commitSha, payload, output);
  if (final) await reportFinal(deps, where, deployment, output, verdictDeploymentStatus(verdict, action, formatWatch(payload.rollback.watchMs)));
  if (action.kind === 'watching') await enqueueCheck(db, { ...payload, checkpoint: payload.checkpoint + 1, ...(checkRunId !== undefined ? { checkRunId } : {}) });
  return { verdict, final, action, verdictId: row.id, ...(checkRunId !== undefined ? { checkRunId } : {}) };
}

async function rollBackRegression(deps: VerdictDeps, runner: Runner, where: AppEnvironment, id: number, verdict: DeployVerdict, verdictId: number): Promise<VerdictAction> {
  const keepAlive = deps.keepAlive ? setInterval(() => void deps.keepAlive!().catch(() => {}), 10_000) : undefined;
  try {
    const outcome = await rollBack({ db: deps.db, runner, log: deps.log }, { where, from: id, actor: 'slipway', reason: `automatic: regression after deployment ${id}: ${verdict.reason}` });
    await setVerdictRollback(deps.db, verdictId, outcome.result.deploymentId);
    return { kind: 'rolled-back', deploymentId: outcome.result.deploymentId, status: outcome.result.status, targetId: outcome.target.id, targetSha: outcome.target.commitSha, ...(outcome.held ? { held: outcome.held } : {}) };
  } catch (error) {
    if (error instanceof RollbackRefused) return { kind: 'not-rolled-back', reason: error.message };
    throw error;
  } finally {
    if (keepAlive) clearInterval(keepAlive);
  }
}

/** The check run on the deployed commit, created at the first check and updated by the later ones. */
async function report(deps: VerdictDeps, where: AppEnvironment, sha: string, payload: VerdictJobPayload, output: ReturnType<typeof verdictCheckOutput>): Promise<number | undefined> {
  if (!deps.octokit || where.installationId === localInstallationId) return undefined;
  const [owner, repo] = where.repository.split('/') as [string, string];
  const octokit = await deps.octokit(where.installationId);
  const reported = await reportCheckRun(octokit, {
    owner,
    repo,
    headSha: sha,
    name: `slipway verdict: ${where.app} (${where.environment})`,
    externalId: `verdict:${payload.deploymentId}`,
    ...output,
    ...(payload.checkRunId !== undefined ? { checkRunId: payload.checkRunId } : {}),
  });
  return reported.id;
}

/**
 * The final verdict where people look besides the check run: as a status of the GitHub Deployment
 * it judged (when the deploy made one), and as a comment on the pull request that brought the
 * commit (when GitHub knows one), updated in place if the PR is judged again in this environment.
 */
async function reportFinal(deps: VerdictDeps, where: AppEnvironment, deployment: DeploymentListing, output: VerdictCheckOutput, status: { state: DeploymentState; description: string }): Promise<void> {
  if (!deps.octokit || where.installationId === localInstallationId) return;
  const [owner, repo] = where.repository.split('/') as [string, string];
  const octokit = await deps.octokit(where.installationId);
  if (deployment.githubDeploymentId) {
    await setDeploymentStatus(octokit, { owner, repo, deploymentId: deployment.githubDeploymentId, ...status, ...(status.state === 'success' ? { autoInactive: false } : {}) });
  }
  let pulls;
  try {
    pulls = await listCommitPulls(octokit, { owner, repo, sha: deployment.commitSha });
  } catch (error) {
    // An installation without "Pull requests" access: the check run and the deployment status say it all the same.
    if (!(error instanceof GitHubError) || error.status !== 403) throw error;
    deps.log(`slipway: verdict of deployment ${deployment.id} not posted on its pull request: ${error.message} (grant the GitHub App "Pull requests: Read and write")`);
    return;
  }
  const [pull] = pulls;
  if (!pull) return;
  const body = [`### Slipway verdict: ${output.title}`, '', `Commit ${deployment.commitSha.slice(0, 7)}, deployed to ${where.environment}.`, '', output.summary, '', output.text].join('\n');
  await upsertPrComment(octokit, { owner, repo, issueNumber: pull.number, marker: `slipway:verdict:${where.app}:${where.environment}`, body });
}

function formatWatch(ms: number): string {
  const minutes = ms / 60_000;
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}
