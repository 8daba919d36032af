// The edges as the webhook jobs use them: app auth → installation token → git fetch at the pushed
// commit → read paas.yaml → check run, comment and deployment, against the wired doubles.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGitCache } from '../../src/git/git-cache.ts';
import { GitError } from '../../src/git/git-error.ts';
import { createGitHubApp } from '../../src/github/app-auth.ts';
import { createDeployment } from '../../src/github/create-deployment.ts';
import { getRepository } from '../../src/github/get-repository.ts';
import { reportCheckRun } from '../../src/github/report-check-run.ts';
import { upsertPrComment } from '../../src/github/upsert-pr-comment.ts';
import { pullRequestPayload, pushPayload } from '../harness/payloads.ts';
import { signWebhook } from '../harness/sign-webhook.ts';
import { startTestGitHub, type TestGitHub } from '../harness/test-github.ts';

describe('edges together against the wired doubles', () => {
  let t: TestGitHub;
  let dir: string;

  before(async () => {
    t = await startTestGitHub();
    t.gh.addInstallation({ id: 21, account: 'acme', repositories: [] });
    dir = await mkdtemp(join(tmpdir(), 'slipway-edges-'));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns a push into a fetched commit, a check run and a deployment', async () => {
    const repo = await t.createRepo('acme/shop', { installationId: 21, defaultBranch: 'trunk' });
    const sha = await repo.commit({ 'paas.yaml': 'name: shop\n' });
    const event = pushPayload({ repo, installationId: 21, after: sha, ref: 'refs/heads/trunk' });
    assert.equal(event.repository.clone_url, repo.cloneUrl);

    const github = createGitHubApp({ appId: t.gh.appId, privateKey: t.gh.privateKeyPem, baseUrl: t.gh.url, retryBaseMs: 1 });
    const octokit = await github.octokit(event.installation.id);
    assert.equal((await getRepository(octokit, 'acme', 'shop')).defaultBranch, 'trunk');
    const cache = createGitCache({ dir });
    const { token } = await github.installationToken(21);
    await cache.fetchCommit({ repoKey: event.repository.full_name, url: event.repository.clone_url, token, sha: event.after, ref: event.ref });
    const files = await cache.readFiles({ repoKey: 'acme/shop', sha, match: (p) => p.endsWith('paas.yaml'), maxBytes: 1 << 20 });
    assert.equal(files.get('paas.yaml'), 'name: shop\n');

    await reportCheckRun(octokit, { owner: 'acme', repo: 'shop', headSha: sha, name: 'slipway', status: 'completed', conclusion: 'success', title: 'Planned', summary: 'ok' });
    const id = await createDeployment(octokit, { owner: 'acme', repo: 'shop', sha, environment: 'production' });
    assert.equal(t.gh.checkRuns[0]!.head_sha, sha);
    assert.equal(t.gh.deployments[0]!.id, id);
    assert.equal(t.gh.callsTo('POST', /access_tokens$/).length, 1, 'one token for the git fetch and every API call');
  });

  it('keeps a token of another installation out of the repository, over git and REST', async () => {
    t.gh.addInstallation({ id: 22, account: 'evil', repositories: [] });
    const repo = await t.createRepo('acme/secret', { installationId: 21 });
    const sha = await repo.commit({ 'paas.yaml': 'name: secret\n' });
    const github = createGitHubApp({ appId: t.gh.appId, privateKey: t.gh.privateKeyPem, baseUrl: t.gh.url, retryBaseMs: 1 });
    const { token } = await github.installationToken(22);
    await assert.rejects(createGitCache({ dir: join(dir, 'evil') }).fetchCommit({ repoKey: 'acme/secret', url: repo.cloneUrl, token, sha }), (e: unknown) => e instanceof GitError && e.code === 'AUTH_FAILED');
    await assert.rejects((await github.octokit(22)).rest.repos.get({ owner: 'acme', repo: 'secret' }), (e: unknown) => (e as { status?: number }).status === 404);
  });

  it('builds pull request payloads whose head is a fork, and signs them', async () => {
    const repo = await t.createRepo('acme/site', { installationId: 21 });
    const base = await repo.commit({ 'paas.yaml': 'name: site\n' });
    const head = await repo.commit({ 'paas.yaml': 'name: site\nreplicas: 3\n' }, { branch: 'pr-head' });
    await repo.setRef('refs/pull/5/head', head);
    const event = pullRequestPayload({ action: 'opened', repo, installationId: 21, number: 5, headSha: head, baseSha: base, headRepo: { fullName: 'mallory/site' } });
    assert.equal(event.pull_request.head.repo.fork, true);
    assert.notEqual(event.pull_request.head.repo.full_name, event.repository.full_name);
    const body = JSON.stringify(event);
    assert.match(signWebhook('s3cret', body), /^sha256=[0-9a-f]{64}$/);

    const github = createGitHubApp({ appId: t.gh.appId, privateKey: t.gh.privateKeyPem, baseUrl: t.gh.url, retryBaseMs: 1 });
    const { token } = await github.installationToken(21);
    const cache = createGitCache({ dir });
    // A fork's head is fetched from the base repository's pull ref, with the base's token.
    await cache.fetchCommit({ repoKey: 'acme/site', url: repo.cloneUrl, token, sha: head, ref: `refs/pull/${event.number}/head` });
    assert.equal(await cache.readFile('acme/site', head, 'paas.yaml'), 'name: site\nreplicas: 3\n');
    const octokit = await github.octokit(21);
    await upsertPrComment(octokit, { owner: 'acme', repo: 'site', issueNumber: 5, body: `Plan at ${head}`, marker: 'slipway:plan' });
    assert.equal(t.gh.comments.length, 1);
  });
});
