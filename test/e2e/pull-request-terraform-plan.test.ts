/**
 * Terraform's own plan in the pull-request comment and check run, end to end: a running service
 * with the real Terraform binary, apps synthesized with the terraform_data test kinds, state where
 * the deploys keep it (the work folder on the embedded store, the pg backend on Postgres). Where
 * Terraform cannot plan (it fails, or there is none) the comment shows the inferred diff and says
 * why. Secrets (what Terraform marks sensitive, the runner's environment) never reach the comment.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { SynthesizeApp } from '../../src/evaluate/evaluate-app.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { runDeployment } from '../../src/runner/run-deployment.ts';
import { deployments } from '../../src/store/schema.ts';
import { defaultRunnerSettings } from '../../src/settings/runner-settings.ts';
import { pullRequestPayload, pushPayload } from '../harness/payloads.ts';
import { synthesizeTestApp } from '../harness/terraform-data-kinds.ts';
import { readState, testStateBackend } from '../runner/runner-fixtures.ts';
import { eventually, helloApp, startHarness, type Harness } from './service-harness.ts';

const passwordCanary = `password-canary-${randomBytes(8).toString('hex')}`;
const tokenCanary = `token-canary-${randomBytes(8).toString('hex')}`;
const envCanary = `env-canary-${randomBytes(8).toString('hex')}`;

/**
 * The test kinds, plus for two apps what only a real configuration would bring: `secrets` reads a
 * sensitive variable (a password Terraform gets from its environment), `broken` has a
 * precondition that fails at plan time quoting a token from the environment.
 */
const synthesize: SynthesizeApp = (config, options) => {
  const doc: TerraformJson = synthesizeTestApp(config, options);
  if (config.name === 'secrets') {
    return {
      ...doc,
      variable: { db_password: { type: 'string', sensitive: true } },
      resource: { ...doc.resource, terraform_data: { ...doc.resource?.terraform_data, database_login: { input: { user: 'app', password: '${var.db_password}' } } } },
    };
  }
  if (config.name === 'broken') {
    return {
      ...doc,
      variable: { api_token: { type: 'string' } },
      resource: {
        ...doc.resource,
        terraform_data: {
          ...doc.resource?.terraform_data,
          guarded: { input: 'x', lifecycle: { precondition: [{ condition: '${length(var.api_token) < 5}', error_message: 'api_token ${var.api_token} is too long' }] } },
        },
      },
    };
  }
  return doc;
};

const commentOn = (h: Harness, repo: string, n: number) => h.github.comments.find((c) => c.repo === repo && c.issue_number === n);

async function openPullRequest(h: Harness, repo: Awaited<ReturnType<Harness['repo']>>, input: { base: string; head: Record<string, string>; number: number }): Promise<{ body: string; headSha: string }> {
  const headSha = await repo.commit(input.head, { branch: `feature-${input.number}`, parent: input.base });
  await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number: input.number, headSha, headRef: `feature-${input.number}`, baseSha: input.base }));
  const comment = await eventually('the PR comment', () => {
    const c = commentOn(h, repo.full.fullName, input.number);
    return c?.body.includes(headSha) ? c : undefined;
  }, 60_000);
  return { body: comment.body, headSha };
}

describe('the PR comment with a Terraform runner', () => {
  let h: Harness;
  let dropState: () => Promise<void> = async () => {};
  before(async () => {
    const state = await testStateBackend();
    dropState = state.drop;
    h = await startHarness(
      { runner: { ...defaultRunnerSettings, state: state.state } },
      { synthesize, env: { ...process.env, TF_VAR_db_password: passwordCanary, TF_VAR_api_token: tokenCanary, AWS_SECRET_ACCESS_KEY: envCanary } },
    );
  });
  after(async () => {
    await h?.close();
    await dropState();
  });

  /** Push to main, then apply the recorded deployment with the service's runner (the state the PR plans against). */
  async function deployMain(repo: Awaited<ReturnType<Harness['repo']>>, files: Record<string, string>, app: string): Promise<string> {
    const sha = await repo.commit(files);
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    const db = h.service.deps.store.db;
    const settled = new Set(['planned', 'succeeded', 'failed', 'superseded', 'cancelled', 'interrupted']);
    const row = await eventually('the push deployment', async () => {
      const [found] = await db.select().from(deployments).where(eq(deployments.commitSha, sha));
      return found && settled.has(found.status) ? found : undefined;
    }, 60_000);
    if (row.status === 'planned') {
      const result = await runDeployment({ db, runner: h.service.deps.runner!, log: () => {} }, { deploymentId: row.id, terraformJson: row.terraformJson as TerraformJson, workspace: { app, environment: 'production' } });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.failure));
    } else assert.equal(row.status, 'succeeded');
    return sha;
  }

  it('shows Terraform’s speculative plan against the applied state, priced and checked, in the comment and the check run; the state is untouched', async () => {
    assert.ok(h.service.deps.runner, 'the service found Terraform');
    const repo = await h.repo('acme/tf-plan');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }) }, 'hello');
    const workspace = { app: 'hello', environment: 'production' };
    const stateBefore = await readState(h.service.deps.runner!, workspace);
    assert.ok(stateBefore, 'the base was applied');

    const { body, headSha } = await openPullRequest(h, repo, { base, head: { 'paas.yaml': helloApp({ instances: 3 }) }, number: 3 });
    assert.match(body, /Plan: Terraform \d+\.\d+\.\d+ \(speculative\)/);
    assert.doesNotMatch(body, /inferred by Slipway/);
    // Terraform's plan: the applied resource is updated in place, and terraform_data's `output`
    // (which only Terraform knows) is recomputed.
    assert.match(body, /~ update\*\* `terraform_data\.web_service_[A-Za-z0-9_]+`/);
    assert.match(body, /\+ output = \(known after apply\)/);
    assert.match(body, /1 to update/);
    assert.match(body, /### Policies/, 'judged by the policies');
    assert.deepEqual(await readState(h.service.deps.runner!, workspace), stateBefore, 'a speculative plan never writes state');
    const [recorded] = await h.service.deps.store.db.select({ n: deployments.id }).from(deployments).where(eq(deployments.commitSha, headSha));
    assert.equal(recorded, undefined, 'nothing recorded for the PR head');

    const check = await eventually('the PR check run', () => h.github.checkRuns.find((r) => r.head_sha === headSha && r.name === 'slipway'));
    assert.match(check.output.summary ?? '', /Plan: Terraform \d+\.\d+\.\d+ \(speculative\)/);
    assert.match(check.output.summary ?? '', /1 to update/);
  });

  it('never shows what Terraform marks sensitive, nor the runner’s secrets', async () => {
    const repo = await h.repo('acme/tf-secrets');
    const base = await repo.commit({ README: 'no app yet\n' });
    const app = helloApp({ name: 'secrets' }).replace('    health:', '    env:\n      STRIPE_KEY: { secret: stripe-key }\n    health:');
    const { body } = await openPullRequest(h, repo, { base, head: { 'paas.yaml': app }, number: 4 });
    assert.match(body, /Plan: Terraform \d+\.\d+\.\d+ \(speculative\)/);
    assert.match(body, /terraform_data\.database_login/);
    assert.match(body, /password = \(sensitive\)/);
    for (const canary of [passwordCanary, tokenCanary, envCanary]) assert.ok(!body.includes(canary), `${canary.split('-')[0]} canary in the comment`);
  });

  it('falls back to the inferred diff when Terraform cannot plan, and says why, with secrets masked', async () => {
    const repo = await h.repo('acme/tf-broken');
    const base = await repo.commit({ README: 'no app yet\n' });
    const { body, headSha } = await openPullRequest(h, repo, { base, head: { 'paas.yaml': helloApp({ name: 'broken' }) }, number: 5 });
    assert.match(body, /Plan: inferred by Slipway — Terraform could not plan: Resource precondition failed.*: api_token \*\*\* is too long/);
    assert.doesNotMatch(body, /Plan: Terraform \d/);
    // The inferred diff: everything the document declares is a create; no `output` (Terraform's own).
    assert.match(body, /\+ create\*\* `terraform_data\.guarded`/);
    assert.doesNotMatch(body, /\+ output = /);
    assert.ok(!body.includes(tokenCanary), 'the token Terraform quoted is masked');
    const check = await eventually('the PR check run', () => h.github.checkRuns.find((r) => r.head_sha === headSha && r.name === 'slipway'));
    assert.match(check.output.summary ?? '', /Plan: inferred by Slipway — Terraform could not plan: Resource precondition failed/);
    assert.ok(!(check.output.summary ?? '').includes(tokenCanary));
  });
});

describe('the PR comment without Terraform', () => {
  let h: Harness;
  before(async () => {
    // No terraform or tofu on the PATH Terraform would be looked up on.
    h = await startHarness({}, { synthesize, env: { ...process.env, PATH: '/nonexistent' } });
  });
  after(async () => {
    await h?.close();
  });

  it('shows the inferred diff and says that no runner is configured', async () => {
    assert.equal(h.service.deps.runner, undefined);
    const repo = await h.repo('acme/no-tf');
    const base = await repo.commit({ README: 'no app yet\n' });
    const { body } = await openPullRequest(h, repo, { base, head: { 'paas.yaml': helloApp() }, number: 6 });
    assert.match(body, /Plan: inferred by Slipway — no Terraform runner is configured/);
    assert.match(body, /\+ create\*\* `terraform_data\.web_service_/);
  });
});
