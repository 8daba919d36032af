/**
 * Step c of a tick: drift, per environment on its own schedule (`drift: { every, heal }` in
 * paas.yaml; daily by default; previews never). For each environment something was applied to,
 * when its check is due:
 *  1. its schedule, read from the applied commit's paas.yaml (once per applied deployment);
 *  2. Terraform's view (runner/check-workspace-drift.ts: a refresh-only plan and a plan of the
 *     applied document), quantified (plan/drift-report.ts);
 *  3. `heal: true`: the applied document is applied again through the runner (runDeployment, with
 *     its deploy lock and a guard that no newer deployment exists), then checked again;
 *  4. reported on GitHub: a check run on the default branch's head, and one issue per app and
 *     environment, edited in place while drift lasts and closed when it is gone.
 * At most `perTick` environments are checked per tick (Terraform runs are seconds each); the ones
 * waiting longest go first. Without a Terraform runner nothing is checked.
 */
import { createHash } from 'node:crypto';
import { driftSchedule } from '../config/drift-schedule.ts';
import { resolveEnvironment } from '../config/resolve-environment.ts';
import { getRepository } from '../github/get-repository.ts';
import { reportCheckRun } from '../github/report-check-run.ts';
import { closeIssue, upsertIssue } from '../github/upsert-issue.ts';
import { driftReport, type DriftReport } from '../plan/drift-report.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { driftSummaryLine, driftTitle, renderDrift } from '../report/render-drift.ts';
import { checkWorkspaceDrift } from '../runner/check-workspace-drift.ts';
import { runDeployment } from '../runner/run-deployment.ts';
import { isRepositoryAllowed } from '../settings/repository-allow-list.ts';
import { deploymentTerraformJson } from '../store/deployment-runs.ts';
import { createDeployment } from '../store/deployments.ts';
import { driftCandidates, saveDriftCheck, type DriftCandidate } from '../store/drift-checks.ts';
import type { DriftCheck } from '../store/schema.ts';
import { newestDeploymentOf } from '../store/newest-deployment.ts';
import { causeMessage } from '../store/store-error.ts';
import { fetchCommit, loadAppsAtCommit } from '../commit/read-commit.ts';
import { recordProblem, type TickContext } from './tick-context.ts';

/** Drift checks per tick at most (each is a few Terraform commands). */
export const driftChecksPerTick = 10;

export async function checkDrift(ctx: TickContext): Promise<void> {
  const { deps } = ctx;
  if (!deps.runner) return;
  let checked = 0;
  for (const candidate of await driftCandidates(deps.store.db)) {
    if (ctx.signal.aborted || checked >= driftChecksPerTick) break;
    if (!isRepositoryAllowed(deps.settings.repositoryPatterns, candidate.repository)) continue;
    try {
      if (await checkEnvironment(ctx, candidate)) checked += 1;
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      recordProblem(ctx, `${candidate.repository}: drift check of ${candidate.app} (${candidate.environment}) failed: ${causeMessage(error)}`);
    }
  }
}

type Schedule = { everyMinutes: number | null; heal: boolean };

/** Resolves to whether Terraform ran (a check that was due). */
async function checkEnvironment(ctx: TickContext, c: DriftCandidate): Promise<boolean> {
  const { deps, summary } = ctx;
  const db = deps.store.db;
  const known = c.check && c.check.deploymentId === c.deploymentId;
  const schedule: Schedule = known ? { everyMinutes: c.check!.everyMinutes, heal: c.check!.heal } : await readSchedule(ctx, c);
  if (schedule.everyMinutes === null) {
    if (!known) await saveDriftCheck(db, { environmentId: c.environmentId, appId: c.appId, deploymentId: c.deploymentId, status: c.check?.status ?? 'clean', report: c.check?.report ?? null, checkedAt: c.check?.checkedAt ?? ctx.now, everyMinutes: null, heal: schedule.heal, issueNumber: c.check?.issueNumber ?? null });
    return false;
  }
  if (known && ctx.now.getTime() - c.check!.checkedAt.getTime() < schedule.everyMinutes * 60_000) return false;

  const runner = deps.runner!;
  const doc = (await deploymentTerraformJson(db, c.deploymentId)) as TerraformJson | null;
  if (!doc) throw new Error(`deployment ${c.deploymentId} has no Terraform JSON to compare with`);
  const workspace = { app: c.app, environment: c.environment };
  const runnerDeps = { db, runner, log: deps.log };
  const measure = async (): Promise<DriftReport | { error: string } | 'busy'> => {
    const result = await checkWorkspaceDrift(runnerDeps, { workspace, terraformJson: doc, signal: ctx.signal });
    if (result.status === 'busy') return 'busy';
    if (result.status === 'failed') return { error: `${result.failure.step}: ${result.failure.message}` };
    return driftReport(result);
  };
  const report = await measure();
  if (report === 'busy') return false; // a deployment is running: next tick
  summary.driftChecked += 1;
  // What was found is reported first (the issue keeps a record of the drift even when it is healed).
  const check = await publish(ctx, c, schedule, report);
  if (!('error' in report) && report.counts.resources > 0) {
    summary.drifted += 1;
    if (schedule.heal) {
      const healed = await heal(ctx, c, doc, report);
      if (healed.ok) {
        summary.healed += 1;
        const after = await measure();
        if (after !== 'busy') await publish(ctx, { ...c, check }, schedule, after, healed.deploymentId);
      } else recordProblem(ctx, `${c.repository}: healing ${c.app} (${c.environment}) did not apply: ${healed.reason}`);
    }
  }
  return true;
}

async function readSchedule(ctx: TickContext, c: DriftCandidate): Promise<Schedule> {
  const { deps } = ctx;
  const repoKey = String(c.repositoryId);
  if (!(await deps.git.hasCommit(repoKey, c.commitSha))) {
    const [owner, repo] = c.repository.split('/') as [string, string];
    const octokit = await deps.github.octokit(c.installationId);
    const info = await getRepository(octokit, owner, repo);
    const { token } = await deps.github.installationToken(c.installationId);
    await fetchCommit(deps.git, { repoKey, url: info.cloneUrl, token, sha: c.commitSha });
  }
  const loaded = await loadAppsAtCommit(deps.git, repoKey, c.commitSha);
  const app = loaded.apps.find((a) => a.config.name === c.app);
  // The app's paas.yaml is gone or invalid at that commit: the default schedule.
  if (!app) return driftSchedule({});
  return driftSchedule(resolveEnvironment(app.config, c.environment));
}

async function heal(ctx: TickContext, c: DriftCandidate, doc: TerraformJson, report: DriftReport): Promise<{ ok: true; deploymentId: number } | { ok: false; reason: string }> {
  const { deps } = ctx;
  const db = deps.store.db;
  const deployment = await createDeployment(db, {
    appId: c.appId,
    environmentId: c.environmentId,
    commitSha: c.commitSha,
    trigger: 'drift-heal',
    terraformJson: doc,
    reason: `drift: ${driftSummaryLine(report)}; re-applying deployment ${c.deploymentId}`,
  });
  const result = await runDeployment(
    { db, runner: deps.runner!, log: deps.log },
    {
      deploymentId: deployment.id,
      terraformJson: doc,
      workspace: { app: c.app, environment: c.environment },
      signal: ctx.signal,
      actor: 'slipway-reconcile',
      // A deployment newer than the one being healed (a push) wins: its state is the desired one now.
      guard: async () => {
        const newest = await newestDeploymentOf(db, c.environmentId, deployment.id);
        return newest !== undefined && newest > c.deploymentId ? { ok: false, reason: `deployment ${newest} is newer than the healed ${c.deploymentId}` } : { ok: true };
      },
    },
  );
  return result.status === 'succeeded' ? { ok: true, deploymentId: deployment.id } : { ok: false, reason: `deployment ${deployment.id} ended ${result.status}${result.reason ? `: ${result.reason}` : result.failure ? `: ${result.failure.message}` : ''}` };
}

async function publish(ctx: TickContext, c: DriftCandidate, schedule: Schedule, report: DriftReport | { error: string }, healedBy?: number): Promise<DriftCheck> {
  const { deps } = ctx;
  const previous = c.check;
  const status = 'error' in report ? 'error' : report.counts.resources > 0 ? 'drifted' : 'clean';
  const hash = createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 16);
  const head = c.headSha ?? c.commitSha;
  const changed = previous?.status !== status || (previous?.report as { hash?: string } | null)?.hash !== hash || (previous?.report as { head?: string } | null)?.head !== head;
  let issueNumber = previous?.issueNumber ?? null;
  const [owner, repo] = c.repository.split('/') as [string, string];
  const context = { app: c.app, environment: c.environment, commitSha: c.commitSha, deploymentId: c.deploymentId, heal: schedule.heal, checkedAt: ctx.now, ...(healedBy !== undefined ? { healedBy } : {}) };
  if (changed && (status !== 'clean' || previous?.status === 'drifted' || healedBy !== undefined)) {
    const octokit = await deps.github.octokit(c.installationId);
    const body = 'error' in report ? `The drift check could not run: ${report.error}` : renderDrift(report, context);
    await reportCheckRun(octokit, {
      owner,
      repo,
      headSha: head,
      name: `slipway drift: ${c.app} (${c.environment})`,
      status: 'completed',
      conclusion: status === 'drifted' ? 'failure' : status === 'error' ? 'neutral' : 'success',
      title: 'error' in report ? 'Drift check failed' : report.counts.resources > 0 ? driftSummaryLine(report) : healedBy !== undefined ? `Drift healed by deployment ${healedBy}` : 'No drift',
      summary: body,
    });
    if (status === 'drifted') {
      issueNumber = await upsertIssue(octokit, { owner, repo, number: issueNumber, title: driftTitle(context), body: `${body}\n\n<!-- slipway:drift:${c.app}:${c.environment} -->`, labels: ['slipway:drift'] });
    } else if (status === 'clean' && issueNumber !== null && previous?.status === 'drifted') {
      await closeIssue(octokit, { owner, repo, number: issueNumber, body: `No drift since ${ctx.now.toISOString().replace(/\.\d+Z$/, 'Z')}${healedBy !== undefined ? `: deployment ${healedBy} re-applied the desired state` : ''}.\n\n<!-- slipway:drift:${c.app}:${c.environment} -->` });
    }
  }
  return saveDriftCheck(deps.store.db, {
    environmentId: c.environmentId,
    appId: c.appId,
    deploymentId: healedBy ?? c.deploymentId,
    status,
    report: { ...report, hash, head },
    checkedAt: ctx.now,
    everyMinutes: schedule.everyMinutes,
    heal: schedule.heal,
    driftedSince: status === 'drifted' ? (previous?.status === 'drifted' ? previous.driftedSince : ctx.now) : null,
    issueNumber,
    healDeploymentId: healedBy ?? previous?.healDeploymentId ?? null,
  });
}
