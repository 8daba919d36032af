import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { Octokit } from 'octokit';
import { createGitHubApp } from '../../src/github/app-auth.ts';
import { createDeployment } from '../../src/github/create-deployment.ts';
import { getPermission } from '../../src/github/get-permission.ts';
import { getRepository } from '../../src/github/get-repository.ts';
import { GitHubError } from '../../src/github/github-error.ts';
import { replaceReviewSuggestions } from '../../src/github/replace-review-suggestions.ts';
import { reportCheckRun, type CheckAnnotation } from '../../src/github/report-check-run.ts';
import { setDeploymentStatus } from '../../src/github/set-deployment-status.ts';
import { upsertPrComment } from '../../src/github/upsert-pr-comment.ts';
import { startGitHubDouble, type GitHubDouble } from '../harness/github-double.ts';
import { startTestGitHub, type TestGitHub } from '../harness/test-github.ts';

const SHA = 'c0ffee'.padEnd(40, '0');

describe('GitHub operations against the GitHub double', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  const repo = { owner: 'acme', repo: 'web' };

  before(async () => {
    gh = await startGitHubDouble();
    gh.addInstallation({ id: 5, account: 'acme', repositories: ['acme/web'] });
    gh.addRepository('acme/web', { defaultBranch: 'trunk' });
    octokit = await createGitHubApp({ appId: gh.appId, privateKey: gh.privateKeyPem, baseUrl: gh.url, retryBaseMs: 1 }).octokit(5);
  });
  beforeEach(() => gh.reset());
  after(() => gh.close());

  describe('upsertPrComment', () => {
    it('creates the comment once, then edits it in place', async () => {
      const first = await upsertPrComment(octokit, { ...repo, issueNumber: 1, body: 'Plan for abc', marker: 'slipway:plan' });
      const second = await upsertPrComment(octokit, { ...repo, issueNumber: 1, body: 'Plan for def', marker: 'slipway:plan' });
      assert.equal(first.created, true);
      assert.deepEqual(second, { id: first.id, created: false });
      const ours = gh.comments.filter((c) => c.issue_number === 1);
      assert.equal(ours.length, 1);
      assert.equal(ours[0]!.body, '<!-- slipway:plan -->\nPlan for def');
      assert.equal(gh.callsTo('POST', '/repos/acme/web/issues/1/comments').length, 1);
      assert.equal(gh.callsTo('PATCH', `/repos/acme/web/issues/comments/${first.id}`).length, 1);
    });

    it('edits a remembered comment without listing the discussion, and finds or recreates it when it was deleted', async () => {
      const known = new Map<string, number>();
      const first = await upsertPrComment(octokit, { ...repo, issueNumber: 3, body: 'v1', marker: 'slipway:plan', known });
      const listings = () => gh.callsTo('GET', '/repos/acme/web/issues/3/comments').length;
      const listedBefore = listings();
      const second = await upsertPrComment(octokit, { ...repo, issueNumber: 3, body: 'v2', marker: 'slipway:plan', known });
      assert.deepEqual(second, { id: first.id, created: false });
      assert.equal(listings(), listedBefore, 'no listing when the id is known');
      assert.equal(gh.comments.find((c) => c.id === first.id)!.body, '<!-- slipway:plan -->\nv2');
      // Someone deletes the comment on GitHub: the PATCH answers 404, and a new comment is made.
      gh.comments.splice(gh.comments.findIndex((c) => c.id === first.id), 1);
      const third = await upsertPrComment(octokit, { ...repo, issueNumber: 3, body: 'v3', marker: 'slipway:plan', known });
      assert.equal(third.created, true);
      assert.notEqual(third.id, first.id);
      assert.equal(known.get('acme/web#3:slipway:plan'), third.id);
      assert.deepEqual(gh.comments.filter((c) => c.issue_number === 3).map((c) => c.body), ['<!-- slipway:plan -->\nv3']);
    });

    it('finds its comment on the second page of a long discussion', async () => {
      for (let i = 0; i < 100; i++) gh.seedComment('acme/web', 2, `comment ${i}`);
      const { id } = await upsertPrComment(octokit, { ...repo, issueNumber: 2, body: 'v1', marker: 'slipway:plan' });
      for (let i = 0; i < 3; i++) gh.seedComment('acme/web', 2, `later ${i}`);
      const again = await upsertPrComment(octokit, { ...repo, issueNumber: 2, body: 'v2', marker: 'slipway:plan' });
      assert.deepEqual(again, { id, created: false });
      assert.equal(gh.comments.filter((c) => c.body.includes('slipway:plan')).length, 1);
      assert.deepEqual(gh.callsTo('GET', '/repos/acme/web/issues/2/comments').map((c) => c.query.page ?? '1').slice(-2), ['1', '2']);
    });

    it('leaves one comment when two jobs upsert the same pull request at once', async () => {
      const results = await Promise.all([
        upsertPrComment(octokit, { ...repo, issueNumber: 8, body: 'from job A', marker: 'slipway:plan' }),
        upsertPrComment(octokit, { ...repo, issueNumber: 8, body: 'from job B', marker: 'slipway:plan' }),
      ]);
      const left = gh.comments.filter((c) => c.issue_number === 8);
      assert.equal(left.length, 1);
      assert.ok(results.every((r) => r.id === left[0]!.id));
      assert.match(left[0]!.body, /from job [AB]/);
      const posts = gh.callsTo('POST', '/repos/acme/web/issues/8/comments').length;
      const deletes = gh.calls.filter((c) => c.method === 'DELETE').length;
      assert.ok(posts === 1 || (posts === 2 && deletes >= 1), `${posts} comments posted, ${deletes} deleted`);
    });

    it('ignores a human comment that quotes the marker', async () => {
      gh.seedComment('acme/web', 3, 'look: <!-- slipway:plan --> ha', 'mallory');
      const result = await upsertPrComment(octokit, { ...repo, issueNumber: 3, body: 'real', marker: 'slipway:plan' });
      assert.equal(result.created, true);
      assert.equal(gh.comments.find((c) => c.user.login === 'mallory')!.body, 'look: <!-- slipway:plan --> ha');
    });

    it('does not edit when the body is unchanged', async () => {
      await upsertPrComment(octokit, { ...repo, issueNumber: 4, body: 'same', marker: 'm' });
      await upsertPrComment(octokit, { ...repo, issueNumber: 4, body: 'same', marker: 'm' });
      assert.equal(gh.calls.filter((c) => c.method === 'PATCH').length, 0);
    });

    it('survives a 500 on the listing and a secondary rate limit on the create', async () => {
      gh.injectFault({ method: 'GET', path: '/repos/acme/web/issues/6/comments', status: 500 });
      gh.injectFault({ method: 'POST', path: '/repos/acme/web/issues/6/comments', status: 403, retryAfter: 1 });
      const result = await upsertPrComment(octokit, { ...repo, issueNumber: 6, body: 'x', marker: 'm' });
      assert.equal(result.created, true);
      assert.equal(gh.comments.filter((c) => c.issue_number === 6).length, 1);
    });

    it('wraps a refusal into a GitHubError with its status', async () => {
      gh.injectFault({ method: 'GET', path: '/repos/acme/web/issues/7/comments', status: 404, body: { message: 'Not Found' } });
      await assert.rejects(upsertPrComment(octokit, { ...repo, issueNumber: 7, body: 'x', marker: 'm' }), (error: unknown) => {
        assert.ok(error instanceof GitHubError);
        assert.equal(error.status, 404);
        assert.ok(error.cause);
        assert.doesNotMatch(inspect(error, { depth: 12 }), /ghs_/, 'the token is in neither the error nor its cause');
        return true;
      });
    });
  });

  describe('reportCheckRun', () => {
    const annotations = (n: number): CheckAnnotation[] =>
      Array.from({ length: n }, (_, i) => ({ path: 'apps/web/paas.yaml', start_line: i + 1, end_line: i + 1, annotation_level: i % 2 ? 'warning' : 'failure', message: `problem ${i}` }));

    it('sends 120 annotations in three requests of at most 50', async () => {
      const { id } = await reportCheckRun(octokit, { ...repo, headSha: SHA, name: 'slipway', status: 'completed', conclusion: 'failure', title: '120 problems', summary: 'bad', annotations: annotations(120) });
      const requests = gh.calls.filter((c) => c.path.startsWith('/repos/acme/web/check-runs'));
      assert.deepEqual(requests.map((c) => [c.method, (c.body as { output: { annotations?: unknown[] } }).output.annotations?.length]), [['POST', 50], ['PATCH', 50], ['PATCH', 20]]);
      const run = gh.checkRuns.find((r) => r.id === id)!;
      assert.equal(run.output.annotations.length, 120);
      assert.equal(run.conclusion, 'failure');
      assert.equal(run.output.annotations[119]!.start_line, 120);
    });

    it('creates a successful run without annotations in one request, then updates it', async () => {
      const { id } = await reportCheckRun(octokit, { ...repo, headSha: SHA, name: 'slipway', status: 'in_progress', title: 'Planning', summary: '…' });
      await reportCheckRun(octokit, { ...repo, headSha: SHA, name: 'slipway', status: 'completed', conclusion: 'success', title: 'Planned', summary: 'ok', checkRunId: id });
      assert.equal(gh.checkRuns.length, 1);
      assert.equal(gh.checkRuns[0]!.status, 'completed');
      assert.equal(gh.checkRuns[0]!.conclusion, 'success');
      assert.equal(gh.checkRuns[0]!.output.title, 'Planned');
    });

    it('drops columns on multi-line annotations, which GitHub would refuse', async () => {
      await reportCheckRun(octokit, { ...repo, headSha: SHA, name: 'slipway', status: 'completed', conclusion: 'failure', title: 't', summary: 's', annotations: [{ path: 'paas.yaml', start_line: 3, end_line: 5, start_column: 2, end_column: 4, annotation_level: 'notice', message: 'm' }] });
      assert.equal(gh.checkRuns[0]!.output.annotations[0]!.start_column, undefined);
    });
  });

  describe('deployments', () => {
    it('creates a deployment of the exact sha without auto-merge or required contexts, then its statuses', async () => {
      const id = await createDeployment(octokit, { ...repo, sha: SHA, environment: 'production', description: 'web@c0ffee' });
      await setDeploymentStatus(octokit, { ...repo, deploymentId: id, state: 'in_progress' });
      await setDeploymentStatus(octokit, { ...repo, deploymentId: id, state: 'success', environmentUrl: 'https://web.example.test', description: 'x'.repeat(300) });
      const [deployment] = gh.deployments;
      assert.equal(deployment!.sha, SHA);
      assert.equal(deployment!.auto_merge, false);
      assert.deepEqual(deployment!.required_contexts, []);
      assert.equal(deployment!.production_environment, true);
      assert.deepEqual(gh.statuses.map((s) => s.state), ['in_progress', 'success']);
      assert.equal(gh.statuses[1]!.environment_url, 'https://web.example.test');
      assert.equal(gh.statuses[1]!.description!.length, 140);
    });

    it('marks preview environments transient', async () => {
      await createDeployment(octokit, { ...repo, sha: SHA, environment: 'pr-12', transient: true });
      assert.equal(gh.deployments[0]!.transient_environment, true);
      assert.equal(gh.deployments[0]!.production_environment, false);
    });

    it('reports a status for an unknown deployment as a 404 GitHubError', async () => {
      await assert.rejects(setDeploymentStatus(octokit, { ...repo, deploymentId: 1, state: 'success' }), (e: unknown) => e instanceof GitHubError && e.status === 404);
    });
  });

  describe('getPermission and getRepository', () => {
    it('reads a collaborator\'s permission, none for strangers', async () => {
      gh.setPermission('acme/web', 'alice', 'admin');
      gh.setPermission('acme/web', 'bob', 'read');
      assert.equal(await getPermission(octokit, 'acme', 'web', 'alice'), 'admin');
      assert.equal(await getPermission(octokit, 'acme', 'web', 'bob'), 'read');
      assert.equal(await getPermission(octokit, 'acme', 'web', 'carol'), 'none');
    });

    it('reads the default branch', async () => {
      assert.equal((await getRepository(octokit, 'acme', 'web')).defaultBranch, 'trunk');
    });
  });
});

describe('replaceReviewSuggestions on a real pull request diff', () => {
  // paas.yaml of 30 lines; the PR changes lines 5 and 20: GitHub's hunks are lines 2–8 and 17–23.
  let t: TestGitHub;
  let octokit: Octokit;
  const repo = { owner: 'acme', repo: 'reviewed' };
  let head = '';
  const lines = Array.from({ length: 30 }, (_, i) => `line: ${i + 1}`);
  const input = () => ({ ...repo, pullNumber: 9, commitId: head, marker: 'slipway:suggest' });
  const isRefused = (pattern: RegExp) => (e: unknown) => e instanceof GitHubError && e.status === 422 && pattern.test(e.message);

  before(async () => {
    t = await startTestGitHub();
    t.gh.addInstallation({ id: 6, account: 'acme', repositories: [] });
    const git = await t.createRepo('acme/reviewed', { installationId: 6 });
    const base = await git.commit({ 'paas.yaml': `${lines.join('\n')}\n` });
    const changed = lines.map((l, i) => (i === 4 || i === 19 ? `${l} # changed` : l));
    head = await git.commit({ 'paas.yaml': `${changed.join('\n')}\n` }, { branch: 'feature', parent: base });
    t.gh.addPullRequest({ repo: 'acme/reviewed', number: 9, headSha: head, headRef: 'feature', baseSha: base });
    octokit = await createGitHubApp({ appId: t.gh.appId, privateKey: t.gh.privateKeyPem, baseUrl: t.gh.url, retryBaseMs: 1 }).octokit(6);
  });
  after(() => t.close());

  it('deletes our earlier suggestions and posts the new ones as one review', async () => {
    await replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', line: 5, body: '```suggestion\nline: 5\n```' }, { path: 'paas.yaml', line: 8, body: 'b' }] });
    assert.equal(t.gh.reviewComments.length, 2);
    const second = await replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', line: 2, body: 'c' }] });
    assert.equal(second.deleted, 2);
    assert.equal(t.gh.reviews.length, 2);
    assert.deepEqual(t.gh.reviewComments.map((c) => [c.line, c.body]), [[2, '<!-- slipway:suggest -->\nc']]);
    const none = await replaceReviewSuggestions(octokit, { ...input(), comments: [] });
    assert.deepEqual(none, { deleted: 1, reviewId: null });
    assert.equal(t.gh.reviewComments.length, 0);
  });

  it('posts a multi-line suggestion as start_line/start_side..line/side, and a one-line one without start_line', async () => {
    await replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', startLine: 18, line: 21, body: 'range' }, { path: 'paas.yaml', startLine: 6, line: 6, body: 'one' }] });
    const posted = t.gh.callsTo('POST', '/repos/acme/reviewed/pulls/9/reviews').at(-1)!.body as { comments: Array<Record<string, unknown>> };
    assert.deepEqual(posted.comments.map(({ body: _body, ...c }) => c), [
      { path: 'paas.yaml', start_line: 18, start_side: 'RIGHT', line: 21, side: 'RIGHT' },
      { path: 'paas.yaml', line: 6, side: 'RIGHT' },
    ]);
    assert.deepEqual(t.gh.reviewComments.map((c) => [c.start_line, c.line]), [[18, 21], [undefined, 6]]);
    await replaceReviewSuggestions(octokit, { ...input(), comments: [] });
  });

  it('is refused with 422, as GitHub refuses it, off the diff, across hunks, or with start_line not before line', async () => {
    await assert.rejects(replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', line: 12, body: 'x' }] }), isRefused(/line must be part of the diff/));
    await assert.rejects(replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', line: 9, body: 'x' }] }), isRefused(/line must be part of the diff/), 'one line past the hunk');
    await assert.rejects(replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'paas.yaml', startLine: 7, line: 18, body: 'x' }] }), isRefused(/same hunk/));
    await assert.rejects(replaceReviewSuggestions(octokit, { ...input(), comments: [{ path: 'README.md', line: 1, body: 'x' }] }), isRefused(/Path could not be resolved/));
    await assert.rejects(
      octokit.rest.pulls.createReview({ ...repo, pull_number: 9, commit_id: head, event: 'COMMENT', comments: [{ path: 'paas.yaml', start_line: 5, line: 5, side: 'RIGHT', body: 'x' }] }),
      (e: { status?: number; message?: string }) => e.status === 422 && /start line must precede the end line/.test(e.message ?? ''),
    );
    await assert.rejects(replaceReviewSuggestions(octokit, { ...input(), pullNumber: 10, comments: [{ path: 'paas.yaml', line: 5, body: 'x' }] }), (e: unknown) => e instanceof GitHubError && e.status === 404);
    assert.equal(t.gh.reviewComments.length, 0, 'nothing recorded from a refused review');
  });
});
