import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approvalJobKind, jobForDelivery, webhookJobKind } from '../../src/intake/job-for-delivery.ts';
import { checkRunPayload, fakeSha, issueCommentPayload, pullRequestPayload, pushPayload, statusPayload } from '../harness/payloads.ts';

const repo = { fullName: 'acme/shop', cloneUrl: 'http://127.0.0.1:1/acme/shop.git' };

test('an approval shares its pull request key (never concurrent with a re-plan) but not its kind (never superseded by one)', () => {
  const pr = jobForDelivery('d1', 'pull_request', pullRequestPayload({ action: 'synchronize', repo, installationId: 1, number: 7, headSha: fakeSha('h') })).job;
  const approval = jobForDelivery('d2', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 7, body: '/slipway approve budget.monthly' })).job;
  assert.ok(pr && approval);
  assert.equal(approval.concurrencyKey, pr.concurrencyKey);
  assert.equal(pr.kind, webhookJobKind);
  assert.equal(approval.kind, approvalJobKind);
  assert.equal(pr.supersede, true);
  assert.equal(approval.supersede, false);
});

test('another pull request, and pushes, have keys of their own', () => {
  const pr7 = jobForDelivery('d1', 'pull_request', pullRequestPayload({ action: 'opened', repo, installationId: 1, number: 7, headSha: fakeSha('a') })).job;
  const pr8 = jobForDelivery('d2', 'pull_request', pullRequestPayload({ action: 'opened', repo, installationId: 1, number: 8, headSha: fakeSha('b') })).job;
  const push = jobForDelivery('d3', 'push', pushPayload({ repo, installationId: 1, after: fakeSha('c') })).job;
  assert.ok(pr7 && pr8 && push);
  assert.equal(new Set([pr7.concurrencyKey, pr8.concurrencyKey, push.concurrencyKey]).size, 3);
});

test('a comment that is not an approval, a rollback or a preview request starts no job', () => {
  const route = jobForDelivery('d1', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 7, body: 'looks good' }));
  assert.equal(route.job, undefined);
  assert.equal(route.outcome, 'ignored: not a /slipway approve, rollback or preview comment on a pull request');
  assert.equal(jobForDelivery('d2', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 7, body: '/slipway previews please' })).job, undefined);
});

test('a /slipway preview comment on a pull request is a job in the pull request’s queue', () => {
  const route = jobForDelivery('d1', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 7, body: 'from a fork\n/slipway preview' }));
  assert.match(route.job?.concurrencyKey ?? '', /^pr:\d+:7$/);
});

test('a /slipway rollback comment on a pull request is a job in the pull request’s queue', () => {
  const route = jobForDelivery('d1', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 7, body: 'broken\n/slipway rollback staging' }));
  assert.equal(route.job?.concurrencyKey?.startsWith('pr:'), true);
  const onIssue = jobForDelivery('d2', 'issue_comment', issueCommentPayload({ repo, installationId: 1, issueNumber: 8, body: '/slipway rollback', pullRequest: false }));
  assert.equal(onIssue.job, undefined);
});

test('a handled event without the fields its job is keyed by is recorded with the missing field named, and no job', () => {
  const push = pushPayload({ repo, installationId: 1, after: fakeSha('d') }) as Record<string, unknown>;
  const noRepository = jobForDelivery('d1', 'push', { ...push, repository: undefined });
  assert.equal(noRepository.job, undefined);
  assert.equal(noRepository.outcome, 'ignored: the push payload has no repository.id');
  assert.equal(jobForDelivery('d2', 'installation', { action: 'created' }).outcome, 'ignored: the installation payload has no installation.id');
});

test('an event GitHub documents but Slipway does not handle, and one nobody documents, are told apart', () => {
  assert.equal(jobForDelivery('d1', 'projects_v2_item', { action: 'created' }).outcome, 'ignored: projects_v2_item events are not handled');
  assert.match(jobForDelivery('d2', 'brand_new_event', {}).outcome ?? '', /^ignored: brand_new_event is not an event @octokit\/webhooks knows/);
});

test('checks completing on a commit and Apply presses share the commit key, never superseded; a pending status and other check actions start no job', () => {
  const sha = fakeSha('commit');
  const completed = jobForDelivery('c1', 'check_run', checkRunPayload({ action: 'completed', repo, installationId: 1, sha, name: 'build' })).job;
  const pressed = jobForDelivery('c2', 'check_run', checkRunPayload({ action: 'requested_action', repo, installationId: 1, sha, name: 'slipway', identifier: 'apply' })).job;
  const suite = jobForDelivery('c3', 'check_suite', { action: 'completed', check_suite: { head_sha: sha }, repository: { id: 5 }, installation: { id: 1 } }).job;
  const status = jobForDelivery('c4', 'status', statusPayload({ repo, installationId: 1, sha, context: 'ci', state: 'success' })).job;
  assert.ok(completed && pressed && suite && status);
  assert.equal(completed.concurrencyKey, pressed.concurrencyKey);
  assert.match(completed.concurrencyKey ?? '', new RegExp(`^commit:\\d+:${sha}$`));
  assert.equal(completed.supersede, false);
  assert.equal(status.supersede, false);
  assert.match(jobForDelivery('c5', 'status', statusPayload({ repo, installationId: 1, sha, context: 'ci', state: 'pending' })).outcome ?? '', /pending status/);
  assert.match(jobForDelivery('c6', 'check_run', checkRunPayload({ action: 'created', repo, installationId: 1, sha, name: 'build' })).outcome ?? '', /check_run\.created is not handled/);
  assert.equal(jobForDelivery('c7', 'check_run', { action: 'completed', check_run: {}, repository: { id: 5 } }).outcome, 'ignored: the check_run payload has no check_run.head_sha');
});
