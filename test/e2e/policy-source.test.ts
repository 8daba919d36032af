/**
 * A pull request cannot weaken the rules that judge it: they are read from the default branch,
 * never from the PR's head. A PR that deletes or loosens a blocking rule is still blocked by it;
 * a PR that adds a rule is judged without it until it is merged. End to end: signed webhooks over
 * HTTP, clones from a real git server, check runs and comments on the GitHub double.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pullRequestPayload, pushPayload } from '../harness/payloads.ts';
import { eventually, helloApp, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

type Repo = Awaited<ReturnType<Harness['repo']>>;

/** A repository rule: the web service may run at most `max` instances (a blocking error). */
const maxInstancesRule = (max: number) => `version: 1
rules:
  - id: team-max-instances
    description: A service runs at most ${max} instances.
    severity: error
    remediation: Lower instances to ${max} or fewer.
    select: { config: services }
    assert:
      - { path: instancesMax, lessThanOrEqual: ${max} }
`;
const rulePath = '.slipway/policies/team.yaml';

async function deployMain(repo: Repo, files: Record<string, string | null>): Promise<string> {
  const sha = await repo.commit(files);
  // A merge commit can have a PR head's very sha (same parent, tree and second), whose check run
  // the PR job already completed: wait for one more.
  const completed = () => h.github.checkRuns.filter((r) => r.repo === repo.fullName && r.head_sha === sha && r.status === 'completed');
  const before = completed().length;
  await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
  await eventually('the production check', () => completed().length > before || undefined);
  return sha;
}

async function openPr(repo: Repo, number: number, base: string, files: Record<string, string | null>) {
  const head = await repo.commit(files, { branch: `pr-${number}`, parent: base });
  await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number, headSha: head, headRef: `pr-${number}`, baseSha: base }));
  const check = await eventually('the PR check', () => h.github.checkRuns.find((r) => r.repo === repo.fullName && r.head_sha === head && r.status === 'completed'));
  const comment = await eventually('the PR comment', () => h.github.comments.find((c) => c.repo === repo.fullName && c.issue_number === number && c.body.includes(head)));
  const failedRules = check.output.annotations.filter((a) => a.annotation_level === 'failure').map((a) => a.title);
  return { head, check, comment, failedRules };
}

describe('a pull request is judged by the default branch rules, not its own', () => {
  it('stays blocked by a rule of the default branch that the PR deletes', async () => {
    const repo = await h.repo('acme/rule-deleted');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }), [rulePath]: maxInstancesRule(3) });
    const pr = await openPr(repo, 1, base, { 'paas.yaml': helloApp({ instances: 5 }), [rulePath]: null });
    assert.equal(pr.check.conclusion, 'failure');
    assert.deepEqual(pr.failedRules, ['policy team-max-instances']);
    assert.match(pr.comment.body, /team-max-instances/);
    assert.match(pr.comment.body, /team\.yaml/, 'the comment says the PR edits policy files');
  });

  it('stays blocked by a rule of the default branch that the PR loosens', async () => {
    const repo = await h.repo('acme/rule-loosened');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }), [rulePath]: maxInstancesRule(3) });
    const pr = await openPr(repo, 2, base, { 'paas.yaml': helloApp({ instances: 5 }), [rulePath]: maxInstancesRule(10) });
    assert.equal(pr.check.conclusion, 'failure');
    assert.deepEqual(pr.failedRules, ['policy team-max-instances']);
  });

  it('passes the same change when the default branch has no such rule (the rule is what blocks it)', async () => {
    const repo = await h.repo('acme/rule-absent');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }) });
    const pr = await openPr(repo, 3, base, { 'paas.yaml': helloApp({ instances: 5 }) });
    assert.equal(pr.check.conclusion, 'success');
    assert.deepEqual(pr.failedRules, []);
  });

  it('judges a PR that adds a rule without it, and by it once it is merged', async () => {
    const repo = await h.repo('acme/rule-added');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }) });
    // The new rule would fail this very PR (2 instances > 1), but it is not the default branch's yet.
    const added = await openPr(repo, 4, base, { 'paas.yaml': helloApp({ instances: 2 }), [rulePath]: maxInstancesRule(1) });
    assert.equal(added.check.conclusion, 'success');
    assert.deepEqual(added.failedRules, []);
    assert.doesNotMatch(added.comment.body, /team-max-instances/);

    // Merged: the default branch holds the rule, and the push that deploys it is judged by it.
    const merged = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }), [rulePath]: maxInstancesRule(1) });
    // The push's check run is the latest on that sha (see deployMain).
    const push = h.github.checkRuns.filter((r) => r.repo === repo.fullName && r.head_sha === merged && r.status === 'completed').at(-1)!;
    assert.equal(push.conclusion, 'failure', JSON.stringify(push.output));
    assert.deepEqual(push.output.annotations.filter((a) => a.annotation_level === 'failure').map((a) => a.title), ['policy team-max-instances']);
    // And so is the next pull request.
    const next = await openPr(repo, 5, merged, { 'paas.yaml': helloApp({ instances: 2, cpu: 0.5, memory: '1Gi' }) });
    assert.equal(next.check.conclusion, 'failure');
    assert.deepEqual(next.failedRules, ['policy team-max-instances']);
  });
});
