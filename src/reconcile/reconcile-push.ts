/**
 * A push to the default branch → production. In order:
 *  1. fetch the pushed commit (installation token) and read its paas.yaml files;
 *  2. refuse an out-of-order push: a commit that is an ancestor of what is deployed is older;
 *  3. for each app whose files changed since its last deployment (every app on first sight):
 *     plan against the last applied configuration, cost, policies (built-in + server + this
 *     commit's repository rules), and record the deployment with its Terraform JSON;
 *  4. report: the `slipway` check run, and a GitHub Deployment with its statuses.
 * Until a Terraform runner exists, deployments end as `planned` and the check says so.
 *
 * Out-of-order pushes: the job's concurrency key (`push:<repo>:<ref>`) runs one reconcile per
 * branch at a time and a newer queued push supersedes an older queued one; for pushes that still
 * run late, step 2 compares ancestry in the git cache. A force-push (the new head is not a
 * descendant of what is deployed) is deployed: history was rewritten on purpose.
 */
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import type { LoadedApp } from '../config/load.ts';
import { createDeployment as createGitHubDeployment, findDeployment as findGitHubDeployment, reportCheckRun, setDeploymentStatus as setGitHubDeploymentStatus } from '../github/index.ts';
import { builtinRules, combinePolicies, loadPolicyFiles } from '../policy/index.ts';
import { getOrCreateApp } from '../store/apps.ts';
import { createPlannedDeployment, deploymentRowColumns, lastAppliedStatuses, setDeploymentStatus, type DeploymentRow } from '../store/deployments.ts';
import { getOrCreateEnvironment } from '../store/environments.ts';
import { deployments, environments, type Deployment } from '../store/schema.ts';
import type { TerraformJson } from '../plan/terraform-json.ts';
import { checkRunName, noConfigCheck, noRunnerNote, pushCheck, staleCheck, type CheckOutput } from './check-run-output.ts';
import { evaluateApp, type AppEvaluation } from '../evaluate/evaluate-app.ts';
import { summarizePlan } from '../plan/summarize-plan.ts';
import type { Plan } from '../plan/types.ts';
import { isBlocking } from '../policy/summarize-results.ts';
import { fetchCommit, loadAppsAtCommit, policyFilesAtCommit } from './read-commit.ts';
import { repositoryContext, type RepositoryContext } from './repository-context.ts';
import { stopwatch } from './stopwatch.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

const environment = 'production';
const staleSearchDepth = 1_000;

export async function reconcilePush(ctx: WebhookContext): Promise<Outcome> {
  const { deps, delivery } = ctx;
  const sha = delivery.payload.after as string;
  const ref = delivery.payload.ref as string;
  const took = stopwatch();
  const repo = await repositoryContext(ctx);
  const db = deps.store.db;
  took.lap('setup');

  await fetchCommit(deps.git, { repoKey: repo.repoKey, url: repo.cloneUrl, token: repo.token, sha, ref });
  took.lap('fetch');
  const loaded = await loadAppsAtCommit(deps.git, repo.repoKey, sha);
  if (loaded.apps.length === 0 && loaded.errors.length === 0) {
    await report(repo, sha, noConfigCheck(sha));
    return 'no paas.yaml: neutral check';
  }

  const rows = await Promise.all(loaded.apps.map(async (app) => {
    const row = await getOrCreateApp(db, { repositoryId: repo.repositoryId, name: app.config.name, configPath: app.file });
    return { app, row, last: await lastDeployedOtherThan(db, row.id, sha) };
  }));

  // 2. Out of order: an older commit never replaces a newer one.
  // The usual case — the push builds on what is deployed (its `before`, or a short walk back from
  // it) — is settled without walking history; only otherwise is the deployed commit searched for
  // this one, at most `staleSearchDepth` commits back.
  const before = delivery.payload.before as string | undefined;
  for (const { last } of rows) {
    if (!last || last.commitSha === sha || last.commitSha === before) continue;
    if (!(await deps.git.hasCommit(repo.repoKey, last.commitSha))) continue; // rewritten away
    if (await deps.git.isAncestor({ repoKey: repo.repoKey, ancestor: last.commitSha, commit: sha, depth: staleSearchDepth })) continue;
    if (await deps.git.isAncestor({ repoKey: repo.repoKey, ancestor: sha, commit: last.commitSha, depth: staleSearchDepth })) {
      await report(repo, sha, staleCheck(sha, last.commitSha));
      return `stale: ${sha.slice(0, 12)} is older than the deployed ${last.commitSha.slice(0, 12)}`;
    }
  }

  const repoPolicies = loadPolicyFiles(await policyFilesAtCommit(deps.git, repo.repoKey, sha), 'repo');
  const policies = combinePolicies({ builtin: builtinRules(), server: deps.serverPolicies, repository: repoPolicies });

  const plans: AppEvaluation[] = [];
  const unchanged: string[] = [];
  const recorded: Array<{ plan: AppEvaluation; deployment: DeploymentRow }> = [];
  for (const { app, row, last } of rows) {
    if (last && !(await appChanged(ctx, repo, app, last.commitSha, sha))) {
      unchanged.push(app.config.name);
      continue;
    }
    took.lap('read');
    const plan = evaluateApp({ app, environment, sha, base: (last?.terraformJson as TerraformJson | null) ?? null, policies });
    plans.push(plan);
    took.lap('plan');
    recorded.push({ plan, deployment: await recordDeployment(ctx, row.id, plan, sha, last) });
    took.lap('record');
  }

  const check = pushCheck({ sha, plans, unchanged, configErrors: loaded.errors });
  if (policies.errors.length > 0) {
    check.summary += `\n\nRepository policy files with errors (their rules were not applied):\n${policies.errors.map((e) => `- ${e.file}:${e.line}: ${e.message}`).join('\n')}`;
  }
  took.lap('read');
  await report(repo, sha, check);
  took.lap('check run');
  for (const { plan, deployment } of recorded) await reportDeployment(repo, sha, plan, deployment, rows.length > 1);
  took.lap('deployments');
  const failed = recorded.filter((r) => r.deployment.status === 'failed').length;
  return `${ref}@${sha.slice(0, 12)}: ${plans.length - failed} planned, ${failed} blocked, ${unchanged.length} unchanged, ${loaded.errors.length} config errors (${took})`;
}

/**
 * Production's last applied deployment of another commit: the base to plan against. (A retried
 * job finds its own commit's deployment already recorded; it plans against the one before.)
 */
async function lastDeployedOtherThan(db: Db, appId: number, sha: string): Promise<Deployment | undefined> {
  const [row] = await db
    .select({ deployment: deployments })
    .from(deployments)
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .where(
      and(
        eq(deployments.appId, appId),
        eq(environments.name, environment),
        inArray(deployments.status, [...lastAppliedStatuses, 'superseded']),
        ne(deployments.commitSha, sha),
      ),
    )
    .orderBy(desc(deployments.id))
    .limit(1);
  return row?.deployment;
}

/** Whether anything under the app's folder (its paas.yaml and what it references) changed. */
async function appChanged(ctx: WebhookContext, repo: RepositoryContext, app: LoadedApp, from: string, to: string): Promise<boolean> {
  if (from === to) return false;
  if (!(await ctx.deps.git.hasCommit(repo.repoKey, from))) return true; // history rewritten: replan
  const changed = await ctx.deps.git.changedPaths({ repoKey: repo.repoKey, from, to });
  const prefix = app.dir === '.' ? '' : `${app.dir}/`;
  return changed.some((p) => p.startsWith(prefix) || p.startsWith('.slipway/'));
}

/** Store the deployment (once per app and commit, so a retried job does not record it twice). */
async function recordDeployment(ctx: WebhookContext, appId: number, plan: AppEvaluation, sha: string, last: Deployment | undefined): Promise<DeploymentRow> {
  const db = ctx.deps.store.db;
  const env = await getOrCreateEnvironment(db, { appId, name: environment, kind: 'production' });
  const [existing] = await db
    .select(deploymentRowColumns)
    .from(deployments)
    .where(and(eq(deployments.appId, appId), eq(deployments.environmentId, env.id), eq(deployments.commitSha, sha), eq(deployments.trigger, 'push')));
  if (existing && (existing.status === 'planned' || existing.status === 'failed')) return existing;

  const blocking = plan.policies.filter(isBlocking);
  const fields = {
    terraformJson: plan.terraform,
    configHash: plan.configHash,
    planSummary: { ...planSummary(plan.plan), policies: plan.policies.filter((r) => r.status !== 'pass').map((r) => ({ ruleId: r.ruleId, status: r.status, severity: r.severity })) },
    monthlyCostUsd: plan.cost?.monthly ?? null,
  };
  const final =
    blocking.length > 0
      ? { status: 'failed' as const, actor: 'policy', reason: `blocked by ${blocking.map((r) => r.ruleId).join(', ')}` }
      : { status: 'planned' as const, actor: 'slipway', reason: noRunnerNote };
  return db.transaction(async (t) => {
    let recorded: DeploymentRow;
    if (existing) {
      // Left mid-way by an earlier version or another flow: finish it step by step.
      if (existing.status === 'queued') await setDeploymentStatus(t, { deploymentId: existing.id, status: 'planning', actor: 'slipway' });
      recorded = await setDeploymentStatus(t, { deploymentId: existing.id, ...final, ...fields });
    } else {
      recorded = await createPlannedDeployment(t, { appId, environmentId: env.id, commitSha: sha, trigger: 'push', actor: 'slipway', reason: `push ${sha.slice(0, 12)}`, final, ...fields });
    }
    if (final.status === 'planned' && last && last.status === 'planned' && last.id !== recorded.id) {
      await setDeploymentStatus(t, { deploymentId: last.id, status: 'superseded', actor: 'slipway', reason: `superseded by ${sha.slice(0, 12)}` });
    }
    return recorded;
  });
}

async function report(repo: RepositoryContext, sha: string, check: CheckOutput): Promise<void> {
  await reportCheckRun(repo.octokit, {
    owner: repo.owner,
    repo: repo.repo,
    headSha: sha,
    name: checkRunName,
    status: 'completed',
    conclusion: check.conclusion,
    title: check.title,
    summary: check.summary,
    annotations: check.annotations,
  });
}

async function reportDeployment(repo: RepositoryContext, sha: string, plan: AppEvaluation, deployment: DeploymentRow, many: boolean): Promise<void> {
  const githubEnvironment = many ? `${plan.app.config.name}/${environment}` : environment;
  // A retried job (GitHub failed after the deployment was created) reuses the deployment.
  const existing = await findGitHubDeployment(repo.octokit, {
    owner: repo.owner,
    repo: repo.repo,
    sha,
    environment: githubEnvironment,
    payloadMatches: (payload) => payload.slipwayDeploymentId === deployment.id,
  });
  const id =
    existing ??
    (await createGitHubDeployment(repo.octokit, {
      owner: repo.owner,
      repo: repo.repo,
      sha,
      environment: githubEnvironment,
      description: `Slipway deployment ${deployment.id} of ${plan.app.config.name}`,
      payload: { slipwayDeploymentId: deployment.id, app: plan.app.config.name },
      production: true,
    }));
  await setGitHubDeploymentStatus(repo.octokit, { owner: repo.owner, repo: repo.repo, deploymentId: id, state: 'in_progress', description: 'planning' });
  const blocked = deployment.status === 'failed';
  await setGitHubDeploymentStatus(repo.octokit, {
    owner: repo.owner,
    repo: repo.repo,
    deploymentId: id,
    state: blocked ? 'failure' : 'pending',
    description: blocked ? 'blocked by policy: see the slipway check run' : 'planned; not applied: no Terraform runner is configured',
  });
}

/** What the store keeps of a plan: counts per action and the changed addresses. */
function planSummary(plan: Plan): { counts: ReturnType<typeof summarizePlan>; changed: string[] } {
  return {
    counts: summarizePlan(plan.resources),
    changed: plan.resources.filter((r) => r.action !== 'no-op').map((r) => `${r.action} ${r.address}`),
  };
}
