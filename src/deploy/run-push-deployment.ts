/**
 * One step of a push's deployment, as the deploy job runs it. In order:
 *  1. the deployment as recorded (a finished one is only reported: `report`);
 *  2. a `timeout` fails a deployment still waiting for its checks;
 *  3. whether it may apply now: `deploy: manual` only after **Apply**; `deploy.after` only once
 *     those checks succeeded on the commit (one failed: the deployment fails with its name);
 *  4. the runner: plan only (manual, a `plan` asked for, or checks pending: then `waiting`, with a timeout job), or plan
 *     and apply with the guards checked right before applying — the policies on Terraform's plan
 *     (approvals by fingerprint) and, for auto deploys, the commit still the head of the default
 *     branch — under a watch that stops it when a newer push supersedes it;
 *  5. report: the `slipway deploy` check run, and the GitHub Deployment's status.
 */
import type { Deps } from '../deps.ts';
import { getRepository, listCommitChecks } from '../github/index.ts';
import { enqueue } from '../jobs/index.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import type { Plan } from '../plan/types.ts';
import { runDeployment, type Runner, type RunDeploymentResult } from '../runner/index.ts';
import { findDeployment, deploymentTerraformJson, type DeploymentListing } from '../store/deployment-runs.ts';
import { isFinished } from '../store/deployment-lifecycle.ts';
import { deploymentHistory, setDeploymentStatus } from '../store/deployments.ts';
import type { DeploymentSettings } from '../store/schema.ts';
import { deployCheckReporter } from './report-deploy-check.ts';
import { deployJob, type DeployAction } from './deploy-job.ts';
import { ensureGitHubDeployment, deactivateReplaced, reportGitHubStatus, type GitHubWhere } from './github-deployment.ts';
import { headOfBranchGuard } from './head-guard.ts';
import { policyApproval } from './policy-approval.ts';
import { judgeRequiredChecks } from './required-checks.ts';
import { serviceUrl } from './deploy-check-output.ts';
import { heldCommitGuard } from '../rollback/held-commit-guard.ts';
import { enqueueCheck } from '../rollback/schedule-verdict.ts';
import { watchSuperseded } from './watch-superseded.ts';
import { previewRunEnded, runPreviewDestroy } from '../previews/run-preview-destroy.ts';

export type PushDeploymentStep = { deploymentId: number; action: DeployAction; actor?: string; /** 1 on the job's first attempt. */ attempt?: number };

export async function runPushDeployment(deps: Deps, step: PushDeploymentStep): Promise<string> {
  const db = deps.store.db;
  const { deploymentId: id, action } = step;
  const actor = step.actor ?? 'slipway';
  // 1. As recorded.
  const deployment = await findDeployment(db, id);
  if (!deployment) return 'no such deployment';
  const runner = deps.runner;
  if (!runner) return 'no Terraform runner: left as planned';
  const settings: DeploymentSettings = deployment.settings ?? { mode: 'auto', after: [], githubEnvironment: deployment.environment };
  const [owner, repo] = deployment.repository.split('/') as [string, string];
  const gh: GitHubWhere = { octokit: await deps.github.octokit(deployment.installationId), owner, repo };
  const check = deployCheckReporter(db, gh, deployment, { settings, waitMs: runner && deps.settings.runner.afterTimeoutMs });
  // A preview's destroy (src/previews/): the same queue and runner, its own ending (no `slipway
  // deploy` check run: nothing is deployed).
  if (settings.preview?.destroy) return runPreviewDestroy(deps, deployment, { actor, attempt: step.attempt ?? 1 });
  if (isFinished(deployment.status)) {
    // Told once: by a `report` job, or by a retry of the job whose reporting failed after the run ended.
    if (action === 'report' || (step.attempt ?? 1) > 1) await reportEnd(deps, gh, deployment, check);
    return `already ${deployment.status}`;
  }

  // 2. Waited too long.
  if (action === 'timeout') {
    if (deployment.status !== 'waiting') return `not waiting (${deployment.status})`;
    const reason = `${settings.after.join(', ')} did not succeed on ${deployment.commitSha.slice(0, 12)} within ${Math.round((deps.settings.runner.afterTimeoutMs ?? 0) / 1000)} s`;
    await fail(deps, deployment, reason);
    await check.report({ status: 'failed', reason });
    return `failed: ${reason}`;
  }
  if (action === 'checks' && deployment.status !== 'waiting') return `not waiting (${deployment.status})`;
  if (action === 'plan' && deployment.status !== 'queued' && deployment.status !== 'planned') return `not planned again (${deployment.status})`;
  if (action === 'report') return `still ${deployment.status}`;

  // 3. May it apply now?
  // A deployment waits for its checks only when it may apply once they pass: auto, or Apply pressed early.
  // A plan asked for plans only.
  const mayApply = action !== 'plan' && (settings.mode === 'auto' || action === 'apply' || (action === 'checks' && deployment.status === 'waiting'));
  let pending: string[] = [];
  if (mayApply && settings.after.length > 0) {
    const verdict = judgeRequiredChecks(settings.after, await listCommitChecks(gh.octokit, owner, repo, deployment.commitSha));
    if (verdict.state === 'failure') {
      const reason = `the check ${verdict.name} ended ${verdict.conclusion} on ${deployment.commitSha.slice(0, 12)} (deploy.after)`;
      await fail(deps, deployment, reason);
      await check.report({ status: 'failed', reason });
      return `failed: ${reason}`;
    }
    if (verdict.state === 'pending') {
      if (deployment.status === 'waiting') return `still waiting for ${verdict.pending.join(', ')}`;
      pending = verdict.pending;
    }
  }
  const planOnly = !mayApply || pending.length > 0;

  // 4. The runner.
  const terraformJson = (await deploymentTerraformJson(db, id)) as TerraformJson;
  // Made while Terraform plans, not before: what the checks right before applying need (the
  // repository's rules at the commit, its default branch), the GitHub Deployment, the check run.
  // A preview is judged on its pull request (policies, caps) and is not the default branch's head.
  const prepared = planOnly || settings.preview ? undefined : prepareApply(deps, gh, deployment, terraformJson, runner);
  prepared?.catch(() => {}); // awaited by approve and guard
  const reported = Promise.all([
    check.report({ status: 'planning' }),
    planOnly
      ? undefined
      : ensureGitHubDeployment(db, gh, deployment).then((githubId) => reportGitHubStatus(gh, githubId, 'in_progress', { description: `Terraform is planning and applying ${deployment.app}` })),
  ]);
  reported.catch(() => {}); // awaited after the run
  const approve = prepared && (async (plan: Plan) => (await prepared).approve(plan));
  // Auto deploys: the commit is still the head of the default branch, and not one a rollback holds
  // (src/rollback: the commit rolled back from is skipped until a newer one lands).
  const held = heldCommitGuard(db, { environmentId: deployment.environmentId, commitSha: deployment.commitSha });
  const guard =
    prepared && settings.mode === 'auto'
      ? async () => {
          // Both asked at once (one round trip less right before applying); a hold answers first,
          // whatever GitHub says.
          const head = prepared.then((p) => p.guard());
          head.catch(() => {}); // awaited unless held
          const heldVerdict = await held();
          return heldVerdict.ok ? head : heldVerdict;
        }
      : undefined;
  // Only a newer push stops the run. The worker shutting down does not cancel it (a deploy is not
  // cancelled by a restart): the job gets its grace period; past it the job is released, and when
  // this process exits the watchdog stops Terraform — another worker plans afresh, and an apply
  // cut short is marked `interrupted`, as after a crash.
  const controller = new AbortController();
  const stopWatching = watchSuperseded(db, id, controller);
  let result: RunDeploymentResult;
  try {
    result = await runDeployment(
      { db, runner, log: deps.log },
      {
        deploymentId: id,
        terraformJson,
        workspace: { app: deployment.app, environment: deployment.environment },
        ...(guard ? { guard } : {}),
        ...(approve ? { approve } : {}),
        planOnly,
        signal: controller.signal,
        actor,
        onStatus: (status) => {
          if (status !== 'applying') return;
          stopWatching(); // a newer push never stops an apply: nothing to watch for any more
          void check.report({ status: 'applying' }).catch(() => {});
        },
      },
    );
  } finally {
    stopWatching();
  }
  await reported;

  if (planOnly && result.status === 'planned' && pending.length > 0) {
    await db.transaction(async (t) => {
      await setDeploymentStatus(t, { deploymentId: id, status: 'waiting', actor: 'slipway', reason: `waiting for ${pending.join(', ')}` });
      const runAt = new Date(Date.now() + (deps.settings.runner.afterTimeoutMs ?? 3_600_000));
      await enqueue(t, deployJob({ deploymentId: id, appId: deployment.appId, environment: deployment.environment, action: 'timeout', runAt }));
    });
    await check.report({ status: 'waiting', plan: result.plan });
    return `planned; waiting for ${pending.join(', ')}`;
  }

  // 5. Report; a success is then watched (src/rollback: the verdict, and a rollback when it got worse).
  const ended = (await findDeployment(db, id)) ?? deployment;
  if (ended.status === 'succeeded' && settings.verdict) {
    await enqueueCheck(db, { deploymentId: id, deployedAt: (ended.finishedAt ?? new Date()).getTime(), checkpoint: 1, ...settings.verdict });
  }
  await reportEnd(deps, gh, ended, check, result);
  if (settings.preview) await previewRunEnded(deps, ended);
  return `${ended.status}${result.reason ? `: ${result.reason}` : ''}${result.failure ? `: ${result.failure.message}` : ''}`;
}

/** The repository's rules at the commit judged on Terraform's plan, and the head-of-branch guard. */
async function prepareApply(deps: Deps, gh: GitHubWhere, deployment: DeploymentListing, terraformJson: TerraformJson, runner: Runner) {
  const info = await getRepository(gh.octokit, gh.owner, gh.repo);
  const approve = await policyApproval(deps, deployment, { cloneUrl: info.cloneUrl, terraformJson, runner });
  return { approve, guard: headOfBranchGuard(gh, info.defaultBranch, deployment.commitSha) };
}

async function fail(deps: Deps, deployment: DeploymentListing, reason: string): Promise<void> {
  await setDeploymentStatus(deps.store.db, { deploymentId: deployment.id, status: 'failed', actor: 'slipway', reason, failure: { step: 'runner', message: reason } });
}

/** The check run and the GitHub Deployment once a deployment ended (or stopped at `planned`). */
async function reportEnd(deps: Deps, gh: GitHubWhere, deployment: DeploymentListing, check: ReturnType<typeof deployCheckReporter>, result?: RunDeploymentResult): Promise<void> {
  const { status } = deployment;
  // Without this run's result (a `report` job, a retry), the reason is the last recorded one.
  const reason = result ? (result.reason ?? null) : ((await deploymentHistory(deps.store.db, deployment.id)).at(-1)?.reason ?? null);
  const checkReported = check.report({ status, reason, ...(result?.plan ? { plan: result.plan } : {}), outputs: deployment.outputs, failure: deployment.failure, withLog: true });
  const githubId = deployment.githubDeploymentId;
  if (!githubId) {
    await checkReported;
    return;
  }
  // The check run's page is known once the run reported `planning`: the Deployment's status need not wait for its last update.
  const known = check.knownUrl();
  if (known) checkReported.catch(() => {}); // awaited below
  const logUrl = known ?? (await checkReported);
  try {
    await reportDeploymentEnd(deps, gh, deployment, reason, logUrl);
  } finally {
    await checkReported;
  }
}

async function reportDeploymentEnd(deps: Deps, gh: GitHubWhere, deployment: DeploymentListing, reason: string | null, logUrl: string | undefined): Promise<void> {
  const { status } = deployment;
  const githubId = deployment.githubDeploymentId!;
  if (status === 'succeeded') {
    await reportGitHubStatus(gh, githubId, 'success', { description: `deployed ${deployment.commitSha.slice(0, 12)}`, ...optional('environmentUrl', serviceUrl(deployment.outputs)), ...optional('logUrl', logUrl) });
    await deactivateReplaced(deps.store.db, gh, deployment);
  } else if (status === 'failed' || status === 'interrupted' || (status === 'cancelled' && reason?.startsWith('blocked by policy'))) {
    const f = deployment.failure;
    const description = f ? `${f.step} failed${f.address ? ` at ${f.address}` : ''}: ${f.message}` : `${status}: ${reason ?? ''}`;
    await reportGitHubStatus(gh, githubId, 'failure', { description, ...optional('logUrl', logUrl) });
  } else if (status === 'superseded' || status === 'cancelled') {
    await reportGitHubStatus(gh, githubId, 'inactive', { description: `not applied: ${reason ?? status}`, ...optional('logUrl', logUrl) });
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
