/**
 * A push to the default branch → production. In order:
 *  1. fetch the pushed commit (installation token) and read its paas.yaml files;
 *  2. refuse an out-of-order push: a commit that is an ancestor of what is deployed is older;
 *  3. find the apps the push touches (their folder, `.slipway/` or their `watch:` globs changed
 *     since their last deployment; every app on first sight);
 *  4. evaluate each of them at the commit (evaluateApp: Terraform JSON with the commit's images,
 *     plan against the last deployment, cost, policies: built-in + server + this commit's
 *     repository rules) and record the deployment with its Terraform JSON;
 *  5. report: the `slipway` check run (with an **Apply** button for `deploy: manual`).
 * With a Terraform runner, each recorded deployment is `queued` with a deploy job that plans and
 * applies it and reports its GitHub Deployment (src/deploy/). Without one, deployments end as
 * `planned`, the check says so, and the GitHub Deployment is left `pending`.
 *
 * Out-of-order pushes: the job's concurrency key (`push:<repo>:<ref>`) runs one reconcile per
 * branch at a time and a newer queued push supersedes an older queued one; for pushes that still
 * run late, step 2 compares ancestry in the git cache.
 */
import { applyAction } from '../deploy/deploy-check-output.ts';
import { evaluateApp } from '../evaluate/evaluate-app.ts';
import { SynthError } from '../synth/synth-error.ts';
import { checkOutput, noConfigCheck, staleCheck, type SynthFailure } from './check-run-output.ts';
import { deployedApps } from './deployed-apps.ts';
import { newerDeployedCommit } from './newer-deployed-commit.ts';
import { publishCheckRun } from './publish-check-run.ts';
import { pushScopes } from './push-scope.ts';
import { fetchCommit, loadAppsAtCommit } from '../commit/read-commit.ts';
import { recordPushDeployment } from './record-push-deployment.ts';
import { repositoryContext } from './repository-context.ts';
import { repositoryPolicies } from '../commit/repository-policies.ts';
import { reportPushDeployment } from './report-push-deployment.ts';
import { stopwatch } from './stopwatch.ts';
import type { EventPayload } from './parse-event.ts';
import type { Outcome, WebhookContext } from './webhook-context.ts';

const environment = 'production';

export async function reconcilePush(ctx: WebhookContext, push: EventPayload<'push'>): Promise<Outcome> {
  const { deps } = ctx;
  const { after: sha, ref } = push;
  const before = push.before ?? undefined;
  const took = stopwatch();
  const repo = await repositoryContext(ctx, push);
  const db = deps.store.db;
  took.lap('setup');

  // 1. The commit and its apps.
  await fetchCommit(deps.git, { repoKey: repo.repoKey, url: repo.cloneUrl, token: repo.token, sha, ref });
  took.lap('fetch');
  const loaded = await loadAppsAtCommit(deps.git, repo.repoKey, sha);
  if (loaded.apps.length === 0 && loaded.errors.length === 0) {
    await publishCheckRun(repo, sha, noConfigCheck(sha));
    return 'no paas.yaml: neutral check';
  }
  const apps = await deployedApps(db, { repositoryId: repo.repositoryId, apps: loaded.apps, sha, environment });

  // 2. Never an older commit over a newer one.
  const newer = await newerDeployedCommit(deps.git, repo.repoKey, apps, { sha, before });
  if (newer) {
    await publishCheckRun(repo, sha, staleCheck(sha, newer));
    return `stale: ${sha.slice(0, 12)} is older than the deployed ${newer.slice(0, 12)}`;
  }

  // 3. What the push touches.
  const scopes = await pushScopes(deps.git, repo.repoKey, apps, sha);
  const policies = await repositoryPolicies(deps, repo.repoKey, sha);
  took.lap('read');

  // 4. Evaluate and record each touched app.
  const planned = [];
  const synthFailures: SynthFailure[] = [];
  for (const { app, row, last } of apps) {
    if (!scopes.find((s) => s.app === app)?.affected) continue;
    let evaluation;
    try {
      evaluation = evaluateApp({ app, environment, sha, base: last?.terraformJson ?? null, policies, ...(deps.synthesize ? { synthesize: deps.synthesize } : {}) });
    } catch (error) {
      // Synthesis fails the same way on every retry: the check says why, the job ends.
      if (!(error instanceof SynthError)) throw error;
      synthFailures.push({ app: app.config.name, file: app.file, reason: error.message });
      continue;
    }
    took.lap('plan');
    const githubEnvironment = apps.length > 1 ? `${app.config.name}/${environment}` : environment;
    planned.push({ evaluation, deployment: await recordPushDeployment(db, { appId: row.id, evaluation, last, githubEnvironment, runner: deps.runner !== undefined }) });
    took.lap('record');
  }

  // 5. Report.
  const evaluations = planned.map((p) => p.evaluation);
  const runner = deps.runner !== undefined;
  // deploy: manual with a runner: the check run gets the Apply button (pressed: check_run.requested_action).
  const manual = runner && planned.some((p) => p.deployment.settings?.mode === 'manual' && p.deployment.status !== 'failed');
  const deployChecks = { checksUrl: `${repo.webUrl}/commit/${sha}/checks`, manyApps: apps.length > 1 };
  await publishCheckRun(repo, sha, checkOutput({ trigger: 'push', sha, evaluations, scopes, configErrors: loaded.errors, policyFileErrors: policies.errors, synthFailures, runner, deployChecks }), manual ? [applyAction] : undefined);
  took.lap('check run');
  // With a runner, the deploy job reports the GitHub Deployment of what it plans and applies.
  for (const { evaluation, deployment } of planned) {
    if (!runner || deployment.status === 'failed') await reportPushDeployment(repo, { evaluation, deployment, manyApps: apps.length > 1 });
  }
  took.lap('deployments');
  const blocked = planned.filter((p) => p.deployment.status === 'failed').length;
  const untouched = scopes.filter((s) => !s.affected).length;
  return `${ref}@${sha.slice(0, 12)}: ${planned.length - blocked} ${runner ? 'queued to deploy' : 'planned'}, ${blocked} blocked, ${untouched} not touched, ${loaded.errors.length} config errors${synthFailures.length > 0 ? `, ${synthFailures.length} not synthesized` : ''} (${took})`;
}
