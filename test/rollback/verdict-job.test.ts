/**
 * The verdict job with the real Terraform binary on every store engine and the GitHub double: a
 * regression injected into the stored metrics after a deploy rolls back automatically (the earlier
 * JSON applied, the commit held) with its evidence on the check run; a clean deploy is watched to
 * the end and passes; too few samples, or metrics missing during the watch, are inconclusive and
 * roll nothing back; with `auto` off a regression is reported, not rolled back; a deploy replaced
 * during its watch stops being judged. The final verdict is also a status of the GitHub
 * Deployment it judged and a comment on the commit's pull request (the double checks the token's
 * permissions as GitHub does: without pull-request access that step is skipped, and logged).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { createGitHubApp, type GitHubApp } from '../../src/github/app-auth.ts';
import { createDeployment as createGitHubDeployment } from '../../src/github/create-deployment.ts';
import { commitHeldReason, heldCommitGuard } from '../../src/rollback/held-commit-guard.ts';
import { rollbackSettings, type RollbackSettings } from '../../src/rollback/rollback-settings.ts';
import { scheduleVerdict, verdictJobKind, type VerdictJobPayload } from '../../src/rollback/schedule-verdict.ts';
import { runVerdictCheck, type VerdictCheckResult, type VerdictDeps } from '../../src/rollback/verdict-job.ts';
import { defaultVerdictSettings } from '../../src/rollback/verdict-settings.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { getOrCreateApp } from '../../src/store/apps.ts';
import type { Db } from '../../src/store/db.ts';
import { findDeployment } from '../../src/store/deployment-runs.ts';
import { deploymentVerdictsOf } from '../../src/store/deployment-verdicts.ts';
import { createDeployment } from '../../src/store/deployments.ts';
import { getOrCreateEnvironment } from '../../src/store/environments.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { setGitHubDeploymentId } from '../../src/store/push-deployments.ts';
import { insertMetricSeries, readMetricSamples } from '../../src/store/metric-samples.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { jobs } from '../../src/store/schema.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { forEachEngine, unique } from '../store/engines.ts';
import { runnerForSuite, stateInput, testAppDocument, type TestRunner, webApp } from '../runner/runner-fixtures.ts';

const installationId = 4216;
const sha = (label: string) => createHash('sha1').update(label).digest('hex');
const minute = 60_000;

/** Seeded noise around `level` (±20 %). */
function noisy(n: number, level: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return level * (0.8 + 0.4 * (state / 2 ** 31));
  });
}

let gh: GitHubDouble;
let github: GitHubApp;
before(async () => {
  gh = await startGitHubDouble();
  github = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url, retryBaseMs: 1 });
});
after(async () => gh.close());

forEachEngine('deploy verdicts and automatic rollback', (engine) => {
  let runner: TestRunner;
  runnerForSuite((made) => (runner = made), () => ({ databaseUrl: engine.databaseUrl }));

  /** An app of an installed repository, known to the store and to the GitHub double. */
  async function installedApp(db: Db) {
    const app = unique('shop');
    const fullName = `acme/${app}`;
    const repositoryId = 900_000 + Math.floor(Math.random() * 1e8);
    if (!gh.installations.has(installationId)) gh.addInstallation({ id: installationId, account: 'acme', repositories: [] });
    gh.installations.get(installationId)!.repositories.push(fullName);
    await upsertInstallation(db, { id: installationId, accountLogin: 'acme' });
    await upsertRepositories(db, installationId, [{ id: repositoryId, fullName }]);
    const appRow = await getOrCreateApp(db, { repositoryId, name: app });
    const environment = await getOrCreateEnvironment(db, { appId: appRow.id, name: 'production' });
    return { app, fullName, repositoryId, appId: appRow.id, environmentId: environment.id };
  }

  async function deploy(db: Db, where: Awaited<ReturnType<typeof installedApp>>, commit: string, onGitHub = false) {
    const doc = testAppDocument(webApp(where.app), commit);
    const deployment = await createDeployment(db, { appId: where.appId, environmentId: where.environmentId, commitSha: commit, terraformJson: doc });
    // What the push job does for a GitHub push: a GitHub Deployment of the commit, its id on ours.
    if (onGitHub) {
      const octokit = await github.octokit(installationId);
      const [owner, repo] = where.fullName.split('/') as [string, string];
      await setGitHubDeploymentId(db, deployment.id, await createGitHubDeployment(octokit, { owner, repo, sha: commit, environment: 'production', description: 'test', payload: { slipwayDeploymentId: deployment.id }, production: true, requiredContexts: [] }));
    }
    const result = await runDeployment({ db, runner, log: () => {} }, { deploymentId: deployment.id, terraformJson: doc, workspace: { app: where.app, environment: 'production' }, guard: heldCommitGuard(db, { environmentId: where.environmentId, commitSha: commit }) });
    assert.equal(result.status, 'succeeded', JSON.stringify(result));
    const row = await findDeployment(db, deployment.id);
    return { id: deployment.id, deployedAt: row!.finishedAt!.getTime() };
  }

  /** Latency of `web`, one sample a minute: two hours before the deploy at `level`, then `after` values from the deploy on. */
  async function latency(db: Db, where: Awaited<ReturnType<typeof installedApp>>, deployedAt: number, after: number[], seed: number) {
    const before = noisy(120, 200, seed);
    const times = [...before.map((_, i) => deployedAt - (120 - i) * minute), ...after.map((_, i) => deployedAt + i * minute + 1)];
    await insertMetricSeries(db, { installationId, repositoryId: where.repositoryId, app: where.app, service: 'web', metric: 'latency', times, values: [...before, ...after] });
  }

  const deps = (db: Db): VerdictDeps => ({
    db,
    runner,
    octokit: (id) => github.octokit(id),
    readSamples: (scope) => (app, service, metric, from, to) => readMetricSamples(db, scope, app, service, metric, from, to),
    log: () => {},
  });
  const settings = (over: Partial<RollbackSettings> = {}): RollbackSettings => ({ auto: true, watchMs: 15 * minute, metrics: ['latency'], ...over });
  const payload = (deploymentId: number, deployedAt: number, rollback: RollbackSettings, checkpoint = 1): VerdictJobPayload => ({ deploymentId, deployedAt, checkpoint, rollback, services: ['web'] });

  /** The queued verdict job of a deployment's next check (what the worker would run next). */
  async function nextJob(db: Db, deploymentId: number): Promise<VerdictJobPayload | undefined> {
    const rows = await db.select().from(jobs).where(and(eq(jobs.kind, verdictJobKind), eq(jobs.status, 'queued')));
    const mine = rows.map((r) => r.payload as VerdictJobPayload).filter((p) => p.deploymentId === deploymentId);
    mine.sort((a, b) => b.checkpoint - a.checkpoint);
    return mine[0];
  }

  test('latency 80 % higher after a deploy rolls it back once two checks in a row show it: the earlier JSON applied, the commit held, the evidence on the check run', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    const good = sha(`${where.app}-good`);
    const bad = sha(`${where.app}-bad`);
    await deploy(db, where, good);
    const deployed = await deploy(db, where, bad, true);
    // The bad commit came from a merged pull request (its merge commit).
    gh.addPullRequest({ repo: where.fullName, number: 41, headSha: sha(`${where.app}-feature`), merged: true, state: 'closed', mergeCommitSha: bad });
    await latency(db, where, deployed.deployedAt, noisy(15, 360, 7), 1);

    // The first check sees it; the shipped settings want a second check to confirm it.
    const first = await runVerdictCheck(deps(db), payload(deployed.id, deployed.deployedAt, settings()));
    assert.ok(!('skipped' in first));
    assert.deepEqual([first.verdict.verdict, first.final, first.action.kind], ['regression', false, 'watching']);
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${bad}`);
    assert.match(gh.checkRuns.find((r) => r.head_sha === bad)!.output.title!, /a possible regression, to be confirmed by the next check \(check 1 of 4\)/);
    const next = await nextJob(db, deployed.id);
    assert.equal(next?.checkpoint, 2);
    const result = await runVerdictCheck(deps(db), next!);
    assert.ok(!('skipped' in result));
    assert.equal(result.verdict.verdict, 'regression');
    assert.equal(result.final, true);
    assert.equal(result.action.kind, 'rolled-back');
    if (result.action.kind !== 'rolled-back') return;
    assert.equal(result.action.status, 'succeeded');
    assert.equal(result.action.held, bad);
    // Terraform applied the good commit's JSON again; the bad commit is held.
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${good}`);
    assert.match((await commitHeldReason(db, { environmentId: where.environmentId, commitSha: bad }))!, /rolled back to .* automatic: regression after deployment \d+: latency of web rose/);
    // The verdict and its evidence on the deployment.
    const [, recorded] = await deploymentVerdictsOf(db, deployed.id);
    assert.equal(recorded!.checkpoint, 2);
    assert.equal(recorded!.verdict, 'regression');
    assert.equal(recorded!.rollbackDeploymentId, result.action.deploymentId);
    const evidence = recorded!.evidence as { metrics: Array<{ metric: string; p: number; effect: number; samples: { before: number; after: number }; median: { before: number; after: number } }> };
    assert.equal(evidence.metrics[0]!.metric, 'latency');
    assert.ok(evidence.metrics[0]!.effect > 0.5, `effect ${evidence.metrics[0]!.effect}`);
    assert.ok(evidence.metrics[0]!.p < 0.001);
    assert.deepEqual(evidence.metrics[0]!.samples, { before: 120, after: 8 });
    // The check run on the bad commit: failed, saying it rolled back, with the table.
    const run = gh.checkRuns.find((r) => r.head_sha === bad && r.repo === where.fullName);
    assert.ok(run, 'a check run on the deployed commit');
    assert.equal(run.name, `slipway verdict: ${where.app} (production)`);
    assert.equal(run.status, 'completed');
    assert.equal(run.conclusion, 'failure');
    assert.equal(run.output.title, `Regression in ${where.app} (production): rolled back`);
    assert.match(run.output.summary!, /Rolled back to deployment \d+ \(commit [0-9a-f]{7}\) by deployment \d+: succeeded\. Commit [0-9a-f]{7} is held: auto deploys skip it until a newer commit lands\./);
    assert.match(run.output.text!, /\| web latency \| regression \| 2\d\d \| 3\d\d \| \+\d+\.\d % \| [\d.e-]+ \| 120 \/ 8 \| — \|/);
    // The GitHub Deployment it judged: failed, naming the metric, its rise and the rollback; only the final check posts it.
    const githubId = (await findDeployment(db, deployed.id))!.githubDeploymentId!;
    const statuses = gh.statuses.filter((x) => x.deployment_id === githubId);
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0]!.state, 'failure');
    assert.match(statuses[0]!.description!, /^Regressed: latency of web \+\d+\.\d % \(median 2\d\d → 3\d\d\); rolled back to [0-9a-f]{7}$/);
    assert.ok(statuses[0]!.description!.includes(good.slice(0, 7)));
    // The pull request that brought the commit: one comment with the verdict and its evidence.
    const prComments = gh.comments.filter((c) => c.repo === where.fullName && c.issue_number === 41);
    assert.equal(prComments.length, 1);
    assert.match(prComments[0]!.body, new RegExp(`Slipway verdict: Regression in ${where.app} \\(production\\): rolled back`));
    assert.match(prComments[0]!.body, /\| web latency \| regression \|/);
    // A retried job does not roll back twice: the rollback is what runs now.
    const retried = await runVerdictCheck(deps(db), next!);
    assert.deepEqual(retried, { skipped: `deployment ${result.action.deploymentId} replaced it before the watch ended` });
    assert.equal((await deploymentVerdictsOf(db, deployed.id)).length, 2);
    assert.equal(gh.checkRuns.filter((r) => r.head_sha === bad).length, 1, 'one check run, updated');
    assert.equal(gh.comments.filter((c) => c.repo === where.fullName && c.issue_number === 41).length, 1, 'one PR comment');
  });

  test('a clean deploy is watched at each quarter and passes at the end; the check run says so', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    const commit = sha(`${where.app}-clean`);
    const deployed = await deploy(db, where, commit, true);
    gh.addPullRequest({ repo: where.fullName, number: 7, headSha: commit });
    await latency(db, where, deployed.deployedAt, noisy(15, 200, 11), 3);
    const config = { rollback: { auto: true, watch: '15m', metrics: ['latency' as const] }, services: { web: {} as never } };
    assert.deepEqual(rollbackSettings(config), settings());
    await scheduleVerdict(db, { deploymentId: deployed.id, deployedAt: new Date(deployed.deployedAt), config });
    let results: VerdictCheckResult[] = [];
    for (let k = 1; k <= 4; k++) {
      const next = await nextJob(db, deployed.id);
      assert.equal(next?.checkpoint, k, `check ${k} is queued`);
      const result = await runVerdictCheck(deps(db), next!);
      await db.update(jobs).set({ status: 'completed' }).where(and(eq(jobs.kind, verdictJobKind), eq(jobs.idempotencyKey, `verdict:${deployed.id}:${k}`)));
      results.push(result);
    }
    assert.equal(await nextJob(db, deployed.id), undefined, 'no check after the last');
    assert.deepEqual(results.map((r) => ('skipped' in r ? r.skipped : [r.verdict.verdict, r.final, r.action.kind])), [
      ['pass', false, 'watching'],
      ['pass', false, 'watching'],
      ['pass', false, 'watching'],
      ['pass', true, 'none'],
    ]);
    assert.deepEqual((await deploymentVerdictsOf(db, deployed.id)).map((v) => [v.checkpoint, v.verdict, v.final]), [[1, 'pass', false], [2, 'pass', false], [3, 'pass', false], [4, 'pass', true]]);
    const runs = gh.checkRuns.filter((r) => r.head_sha === commit);
    assert.equal(runs.length, 1, 'one check run, updated by each check');
    assert.equal(runs[0]!.conclusion, 'success');
    assert.equal(runs[0]!.output.title, `${where.app} (production) passed its 15m watch`);
    // Healthy, on the GitHub Deployment (once, at the end; earlier deployments left alone) and on the open PR whose head it is.
    const githubId = (await findDeployment(db, deployed.id))!.githubDeploymentId!;
    assert.deepEqual(gh.statuses.filter((x) => x.deployment_id === githubId).map((x) => [x.state, x.description, x.auto_inactive]), [['success', 'Verdict after its 15m watch: healthy (latency of web did not get worse)', false]]);
    const prComments = gh.comments.filter((c) => c.repo === where.fullName && c.issue_number === 7);
    assert.equal(prComments.length, 1);
    assert.match(prComments[0]!.body, /passed its 15m watch/);
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${commit}`);
  });

  test('too few samples after the deploy is inconclusive at the end, and nothing is rolled back however bad they look', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    await deploy(db, where, sha(`${where.app}-1`));
    const commit = sha(`${where.app}-2`);
    const deployed = await deploy(db, where, commit);
    await latency(db, where, deployed.deployedAt, [900, 950], 5);
    const result = await runVerdictCheck(deps(db), payload(deployed.id, deployed.deployedAt, settings(), 4));
    assert.ok(!('skipped' in result));
    assert.equal(result.verdict.verdict, 'inconclusive');
    assert.equal(result.verdict.reason, 'latency of web: only 2 sample(s) after the deploy, at least 3 needed on each side');
    assert.equal(result.action.kind, 'none');
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${commit}`);
    const run = gh.checkRuns.find((r) => r.head_sha === commit);
    assert.equal(run?.conclusion, 'neutral');
    assert.match(run!.output.summary!, /An inconclusive verdict never rolls back\./);
  });

  test('metrics missing during the watch are inconclusive, said plainly; never recorded ones are listed', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    const deployed = await deploy(db, where, sha(`${where.app}-quiet`));
    await latency(db, where, deployed.deployedAt, [], 9);
    const result = await runVerdictCheck(deps(db), payload(deployed.id, deployed.deployedAt, settings({ metrics: ['latency', 'errors'] }), 4));
    assert.ok(!('skipped' in result));
    assert.equal(result.verdict.verdict, 'inconclusive');
    assert.equal(result.verdict.reason, 'latency of web: only 0 sample(s) after the deploy, at least 3 needed on each side');
    assert.deepEqual(result.verdict.notRecorded, ['errors of web']);
  });

  test('with rollback.auto off, a regression is reported and not rolled back', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    await deploy(db, where, sha(`${where.app}-a`));
    const commit = sha(`${where.app}-b`);
    const deployed = await deploy(db, where, commit);
    await latency(db, where, deployed.deployedAt, noisy(15, 400, 13), 15);
    const result = await runVerdictCheck(deps(db), payload(deployed.id, deployed.deployedAt, settings({ auto: false }), 4));
    assert.ok(!('skipped' in result));
    assert.equal(result.verdict.verdict, 'regression');
    assert.deepEqual(result.action, { kind: 'not-rolled-back', reason: 'rollback.auto is off for this environment (`slipway rollback` rolls back by hand)' });
    assert.equal((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${commit}`);
    assert.equal(await commitHeldReason(db, { environmentId: where.environmentId, commitSha: commit }), undefined);
    const run = gh.checkRuns.find((r) => r.head_sha === commit);
    assert.equal(run?.conclusion, 'failure');
    assert.match(run!.output.summary!, /Not rolled back: rollback\.auto is off/);
  });

  test('with one confirmation, a regression rolls back at the first check', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    await deploy(db, where, sha(`${where.app}-ok`));
    const commit = sha(`${where.app}-slow`);
    const deployed = await deploy(db, where, commit);
    await latency(db, where, deployed.deployedAt, noisy(15, 380, 17), 19);
    const once = { ...deps(db), settings: { ...defaultVerdictSettings, confirmations: 1 } };
    const first = await runVerdictCheck(once, payload(deployed.id, deployed.deployedAt, settings()));
    assert.ok(!('skipped' in first));
    assert.deepEqual([first.verdict.verdict, first.final, first.action.kind], ['regression', true, 'rolled-back']);
    assert.equal(await nextJob(db, deployed.id), undefined);
    assert.equal(gh.checkRuns.find((r) => r.head_sha === commit)!.conclusion, 'failure');
    assert.notEqual((await stateInput(runner, { app: where.app, environment: 'production' }, 'web_service'))?.image, `registry.example/${where.app}:${commit}`);
  });

  test('a deploy replaced during its watch is judged no further', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    const first = await deploy(db, where, sha(`${where.app}-x`));
    await deploy(db, where, sha(`${where.app}-y`));
    const result = await runVerdictCheck(deps(db), payload(first.id, first.deployedAt, settings(), 2));
    assert.ok('skipped' in result);
    assert.match(result.skipped, /^deployment \d+ replaced it before the watch ended$/);
    assert.deepEqual(await deploymentVerdictsOf(db, first.id), []);
  });

  test('an installation without pull-request access still gets the deployment status; the PR step is skipped and logged, not retried forever', async () => {
    const db = engine.store().db;
    const where = await installedApp(db);
    const commit = sha(`${where.app}-noprs`);
    const deployed = await deploy(db, where, commit, true);
    await latency(db, where, deployed.deployedAt, noisy(15, 200, 21), 23);
    const id = 5000 + Math.floor(Math.random() * 1e6);
    gh.addInstallation({ id, account: 'acme', repositories: [where.fullName], permissions: { metadata: 'read', contents: 'read', checks: 'write', deployments: 'write' } });
    const logged: string[] = [];
    const result = await runVerdictCheck({ ...deps(db), octokit: () => github.octokit(id), log: (m) => logged.push(m) }, payload(deployed.id, deployed.deployedAt, settings(), 4));
    assert.ok(!('skipped' in result) && result.verdict.verdict === 'pass');
    const githubId = (await findDeployment(db, deployed.id))!.githubDeploymentId!;
    assert.equal(gh.statuses.filter((x) => x.deployment_id === githubId).at(-1)?.state, 'success');
    assert.equal(gh.callsTo('GET', new RegExp(`/repos/${where.fullName}/commits/${commit}/pulls`)).at(-1)?.status, 403);
    assert.match(logged.join('\n'), /not posted on its pull request: .*Resource not accessible by integration.*Pull requests: Read and write/);
  });
});
