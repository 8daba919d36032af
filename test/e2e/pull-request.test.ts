import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog, installations, jobs, repositories, webhookDeliveries } from '../../src/store/schema.ts';
import { runGit } from '../harness/git-server.ts';
import {
  installationPayload,
  installationRepositoriesPayload,
  issueCommentPayload,
  pullRequestPayload,
  pushPayload,
} from '../harness/payloads.ts';
import { eventually, helloApp, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
const apiToken = 'e2e-api-token';
before(async () => {
  h = await startHarness({ apiToken });
});
after(async () => {
  await h?.close();
});

const outcomeOf = async (id: string) => {
  const [row] = await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row?.outcome && !row.outcome.startsWith('failed, will retry') ? row.outcome : undefined;
};
const commentsOn = (repo: string, n: number) => h.github.comments.filter((c) => c.repo === repo && c.issue_number === n);

async function deployMain(repo: Awaited<ReturnType<Harness['repo']>>, files: Record<string, string>): Promise<string> {
  const sha = await repo.commit(files);
  await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
  await eventually('the production check', () => h.github.checkRuns.find((r) => r.head_sha === sha));
  return sha;
}

describe('pull requests', () => {
  it('keeps ONE comment per PR: opened creates it, synchronize edits it with the new head sha, closed marks it final', async () => {
    const repo = await h.repo('acme/pr-app');
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ instances: 2 }) });
    const head1 = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) }, { branch: 'feature', parent: base });
    const pr = (action: 'opened' | 'synchronize' | 'closed', headSha: string) =>
      pullRequestPayload({ action, repo: repo.full, installationId: repo.installationId, number: 7, headSha, headRef: 'feature', baseSha: base });

    await h.send('pull_request', pr('opened', head1));
    const first = await eventually('the comment', () => commentsOn('acme/pr-app', 7)[0]);
    assert.match(first.body, /<!-- slipway:pr-comment -->/);
    assert.ok(first.body.includes(head1), 'the comment names the head sha it was built from');

    const head2 = await repo.commit({ 'paas.yaml': helloApp({ instances: 4, cpu: 0.5, memory: '1Gi' }) }, { branch: 'feature' });
    await h.send('pull_request', pr('synchronize', head2));
    await eventually('the edited comment', () => commentsOn('acme/pr-app', 7)[0]?.body.includes(head2));
    assert.equal(commentsOn('acme/pr-app', 7).length, 1, 'edited, not a new comment');
    await eventually('a check run on the PR head', () => h.github.checkRuns.some((r) => r.head_sha === head2 && r.name === 'slipway'));

    await h.send('pull_request', pr('closed', head2));
    await eventually('the final comment', () => /\(final\)/.test(commentsOn('acme/pr-app', 7)[0]?.body ?? ''));
    assert.equal(commentsOn('acme/pr-app', 7).length, 1);
  });

  it('marks the comment final when a closed PR head branch was deleted after merge', async () => {
    const repo = await h.repo('acme/merged');
    const base = await deployMain(repo, { 'paas.yaml': helloApp() });
    const head = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) }, { branch: 'short-lived', parent: base });
    const pr = (action: 'opened' | 'closed') =>
      pullRequestPayload({ action, repo: repo.full, installationId: repo.installationId, number: 12, headSha: head, headRef: 'short-lived', baseSha: base, merged: action === 'closed' });
    await h.send('pull_request', pr('opened'));
    await eventually('the comment', () => commentsOn('acme/merged', 12)[0]);
    await repo.deleteBranch('short-lived');
    // A fresh cache would need the branch; this one still has the commit, so drop nothing and
    // close: the plan is rebuilt from the cached commit, or the comment is finished as it stands.
    await h.send('pull_request', pr('closed'));
    await eventually('the final comment', () => /\(final\)/.test(commentsOn('acme/merged', 12)[0]?.body ?? ''));
    assert.equal(commentsOn('acme/merged', 12).length, 1);
  });

  it('finishes the comment from its state when a closed PR head can no longer be fetched, once', async () => {
    const repo = await h.repo('acme/vanished');
    const base = await deployMain(repo, { 'paas.yaml': helloApp() });
    const head = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) }, { branch: 'gone', parent: base });
    const pr = (action: 'opened' | 'closed', headSha: string) =>
      pullRequestPayload({ action, repo: repo.full, installationId: repo.installationId, number: 13, headSha, headRef: 'gone', baseSha: base });
    await h.send('pull_request', pr('opened', head));
    const openBody = (await eventually('the comment', () => commentsOn('acme/vanished', 13)[0])).body;
    await repo.deleteBranch('gone');
    // Closed at a head that was force-pushed away: no branch, no refs/pull/13/head, never fetched.
    const vanished = 'f'.repeat(40);
    const closedId = crypto.randomUUID();
    await h.send('pull_request', pr('closed', vanished), closedId);
    assert.match(await eventually('the outcome', () => outcomeOf(closedId)), /comment \d+ marked final/);
    const body = commentsOn('acme/vanished', 13)[0]!.body;
    assert.match(body, /## Slipway plan \(final\)\n\n_This pull request is closed \(head ffffffffffff could no longer be fetched\)/);
    assert.notEqual(body, openBody);
    assert.ok(body.endsWith(openBody.slice(openBody.indexOf('**'))), 'the last plan is kept as it was');

    const againId = crypto.randomUUID();
    await h.send('pull_request', pr('closed', vanished), againId);
    assert.match(await eventually('the second outcome', () => outcomeOf(againId)), /comment already final/);
    assert.equal(commentsOn('acme/vanished', 13)[0]!.body, body);
  });

  it('plans a fork through the base repository refs/pull/N/head, without credentials reaching the fork', async () => {
    const repo = await h.repo('acme/forked');
    const base = await deployMain(repo, { 'paas.yaml': helloApp() });
    // The fork's commit exists in the base repository only as refs/pull/9/head, as on GitHub.
    const head = await repo.commit({ 'paas.yaml': helloApp({ instances: 5 }) }, { branch: 'fork-work', parent: base });
    await runGit(['update-ref', 'refs/pull/9/head', head], repo.bareDir);
    await repo.deleteBranch('fork-work');
    await h.send(
      'pull_request',
      pullRequestPayload({
        action: 'opened', repo: repo.full, installationId: repo.installationId, number: 9, headSha: head, baseSha: base,
        headRepo: { fullName: 'mallory/forked', cloneUrl: 'http://127.0.0.1:1/mallory/forked.git' },
      }),
    );
    const comment = await eventually('the fork comment', () => commentsOn('acme/forked', 9)[0]);
    assert.ok(comment.body.includes(head));
    assert.match(comment.body, /fork/);
    const fetched = h.git.requests.filter((r) => r.path.includes('mallory'));
    assert.equal(fetched.length, 0, 'nothing was fetched from the fork');
  });

  it('judges a PR by the default branch policies, says so when the PR edits them, and records approvals by writers only', async () => {
    const repo = await h.repo('acme/guarded');
    const withQueue = `${helloApp()}\nresources:\n  tasks: { type: queue }\n`;
    const base = await deployMain(repo, { 'paas.yaml': withQueue, '.slipway/policies/team.yaml': 'version: 1\nrules: []\n' });
    // The PR drops the queue (a stateful delete: needs an approval) and edits the policy folder.
    const head = await repo.commit({ 'paas.yaml': helloApp(), '.slipway/policies/team.yaml': 'version: 1\nrules: []\n# weakened\n' }, { branch: 'drop-queue', parent: base });
    await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number: 3, headSha: head, headRef: 'drop-queue', baseSha: base }));
    const comment = await eventually('the comment', () => commentsOn('acme/guarded', 3)[0]);
    assert.match(comment.body, /stateful-change-approval/);
    assert.match(comment.body, /team\.yaml/, 'the comment says the PR edits policy files');
    const blocked = await eventually('the PR check', () => h.github.checkRuns.find((r) => r.head_sha === head));
    assert.equal(blocked.conclusion, 'failure');

    h.github.setPermission('acme/guarded', 'reader', 'read');
    const refused = crypto.randomUUID();
    await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 3, body: '/slipway approve stateful-change-approval', sender: 'reader' }), refused);
    assert.match(await eventually('the refusal', () => outcomeOf(refused)), /refused: reader has read access/);

    h.github.setPermission('acme/guarded', 'lead', 'write');
    const approved = crypto.randomUUID();
    await h.send('issue_comment', issueCommentPayload({ repo: repo.full, installationId: repo.installationId, issueNumber: 3, body: '/slipway approve stateful-change-approval', sender: 'lead' }), approved);
    assert.match(await eventually('the approval outcome', () => outcomeOf(approved)), /approved by lead: stateful-change-approval/);
    const [entry] = await h.service.deps.store.db.select().from(auditLog).where(and(eq(auditLog.action, 'policy.approve'), eq(auditLog.actor, 'github:lead')));
    assert.equal((entry?.details as { headSha: string }).headSha, head);
    assert.match(commentsOn('acme/guarded', 3)[0]!.body, /approved/);
    assert.equal(commentsOn('acme/guarded', 3).length, 1);
  });
});

/**
 * 7 days of 5-minute samples: a service using about 5 % of its cpu and 10 % of its memory, posted
 * to the metrics API for one repository, as a metrics exporter would.
 */
async function oversizedMetrics(repository: string, name: string): Promise<void> {
  const now = Date.now();
  const cpu: [number, number][] = [];
  const memory: [number, number][] = [];
  for (let t = now - 7 * 86_400_000; t < now; t += 300_000) {
    cpu.push([t, 4 + Math.sin(t / 3_600_000)]);
    memory.push([t, 10 + Math.cos(t / 3_600_000)]);
  }
  const body = JSON.stringify([
    { repository, app: name, service: 'web', metric: 'cpu', samples: cpu },
    { repository, app: name, service: 'web', metric: 'memory', samples: memory },
  ]);
  const res = await fetch(`${h.service.url}/api/v1/metrics`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` } });
  assert.equal(res.status, 200, await res.clone().text());
}

describe('recommendations on a pull request', () => {
  it('adds a Recommendations section and one-click suggestions from stored metrics, replaced (not duplicated) on a new push', async () => {
    const repo = await h.repo('acme/oversized');
    const name = 'oversized';
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ name, cpu: 2, memory: '4Gi', instances: 4 }) });
    await oversizedMetrics(repo.fullName, name);
    const pr = (action: 'opened' | 'synchronize', headSha: string) =>
      pullRequestPayload({ action, repo: repo.full, installationId: repo.installationId, number: 11, headSha, headRef: 'tweak', baseSha: base });
    const head1 = await repo.commit({ 'paas.yaml': helloApp({ name, cpu: 2, memory: '4Gi', instances: 5 }) }, { branch: 'tweak', parent: base });
    await h.send('pull_request', pr('opened', head1));
    const comment = await eventually('the comment', () => commentsOn('acme/oversized', 11)[0]);
    assert.match(comment.body, /### Recommendations/);
    const suggestions = await eventually('review suggestions', () => {
      const list = h.github.reviewComments.filter((c) => c.repo === 'acme/oversized');
      return list.length > 0 ? list : undefined;
    });
    assert.ok(suggestions.every((c) => c.path === 'paas.yaml' && c.body.includes('```suggestion')));
    const count = suggestions.length;

    const head2 = await repo.commit({ 'paas.yaml': helloApp({ name, cpu: 2, memory: '4Gi', instances: 6 }) }, { branch: 'tweak' });
    await h.send('pull_request', pr('synchronize', head2));
    await eventually('the updated comment', () => commentsOn('acme/oversized', 11)[0]?.body.includes(head2));
    await eventually('replaced suggestions', () => h.github.reviews.filter((r) => r.repo === 'acme/oversized').length >= 2);
    assert.equal(h.github.reviewComments.filter((c) => c.repo === 'acme/oversized').length, count, 'replaced, not duplicated');
  });
});

describe('tenants apart', () => {
  it('two installations with an app of the same name: each pull request sees only its own repository\'s metrics', async () => {
    const mine = await h.repo('acme/shop');
    const theirs = await h.repo('rival/shop');
    assert.notEqual(mine.installationId, theirs.installationId);
    const app = helloApp({ name: 'shop', cpu: 2, memory: '4Gi', instances: 4 });
    const bases = [await deployMain(mine, { 'paas.yaml': app }), await deployMain(theirs, { 'paas.yaml': app })];
    await oversizedMetrics('acme/shop', 'shop');
    for (const [index, repo] of [mine, theirs].entries()) {
      const head = await repo.commit({ 'paas.yaml': helloApp({ name: 'shop', cpu: 2, memory: '4Gi', instances: 5 }) }, { branch: 'grow', parent: bases[index] });
      await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number: 21, headSha: head, headRef: 'grow', baseSha: bases[index]! }));
    }
    const ours = await eventually('acme/shop\'s comment', () => commentsOn('acme/shop', 21)[0]);
    const rival = await eventually('rival/shop\'s comment', () => commentsOn('rival/shop', 21)[0]);
    assert.match(ours.body, /### Recommendations/);
    assert.doesNotMatch(rival.body, /### Recommendations/, 'the other tenant\'s samples are not read');
    assert.equal(h.github.reviewComments.filter((c) => c.repo === 'rival/shop').length, 0);
  });

  it('the metrics API refuses samples for a repository Slipway does not serve, storing nothing', async () => {
    const body = JSON.stringify({ repository: 'nobody/shop', app: 'shop', service: 'web', metric: 'cpu', samples: [[Date.now() - 60_000, 5]] });
    const res = await fetch(`${h.service.url}/api/v1/metrics`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` } });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /repository nobody\/shop is not one Slipway serves/);
  });
});

describe('review suggestions only where GitHub accepts them', () => {
  // Slipway recommends cpu 0.25 (line 10), memory 1Gi (line 11) and instances (line 12, or 12–14 as a block).
  const footer = '\n# Owned by the platform team.\n# Ask in #platform before scaling down.\n# Runbook: docs/web.md\n';
  const refusals = (repo: string) => h.github.calls.filter((c) => c.status === 422 && c.path.startsWith(`/repos/${repo}/`));
  const lineOf = (text: string, start: string) => text.split('\n').findIndex((l) => l.trimStart().startsWith(start)) + 1;

  async function openPr(repo: Awaited<ReturnType<Harness['repo']>>, number: number, base: string, files: Record<string, string>) {
    const head = await repo.commit(files, { branch: `pr-${number}`, parent: base });
    const id = crypto.randomUUID();
    await h.send('pull_request', pullRequestPayload({ action: 'opened', repo: repo.full, installationId: repo.installationId, number, headSha: head, headRef: `pr-${number}`, baseSha: base }), id);
    const outcome = await eventually('the PR outcome', () => outcomeOf(id));
    const [job] = await h.service.deps.store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${id}`));
    return { head, outcome, comment: commentsOn(repo.fullName, number)[0]!, attempts: job?.attempts };
  }

  it('posts the suggestion for the cpu line a PR changes inline, on that line, and GitHub accepts it', async () => {
    const repo = await h.repo('acme/cpu-change');
    const name = 'cpu-change';
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ name, cpu: 4, memory: '4Gi', instances: 4 }) + footer });
    await oversizedMetrics(repo.fullName, name); // once the push has recorded the repository
    const text = helloApp({ name, cpu: 2, memory: '4Gi', instances: 4 }) + footer;
    const { outcome } = await openPr(repo, 21, base, { 'paas.yaml': text });
    assert.match(outcome, /suggestions: 3 inline, 0 in the comment/);
    const cpu = h.github.reviewComments.find((c) => c.repo === 'acme/cpu-change' && c.body.includes('cpu 2 → 0.25'));
    assert.ok(cpu, 'the cpu suggestion is a review comment');
    assert.equal(cpu.line, lineOf(text, 'cpu:'));
    assert.equal(cpu.side, 'RIGHT');
    assert.equal(cpu.start_line, undefined, 'one line: no start_line');
    assert.match(cpu.body, /```suggestion\n {4}cpu: 0\.25\n```/);
    assert.deepEqual(refusals('acme/cpu-change'), []);
  });

  it('keeps suggestions for lines far from what a PR changes in the comment, with their text, and posts nothing GitHub would refuse', async () => {
    const repo = await h.repo('acme/far-change');
    const name = 'far-change';
    const text = helloApp({ name, cpu: 2, memory: '4Gi', instances: 4 }) + footer;
    const base = await deployMain(repo, { 'paas.yaml': text });
    await oversizedMetrics(repo.fullName, name); // once the push has recorded the repository
    const { outcome, comment, attempts } = await openPr(repo, 22, base, { 'paas.yaml': text.replace('docs/web.md', 'docs/runbooks/web.md') });
    assert.match(outcome, /suggestions: 0 inline, 3 in the comment/);
    assert.doesNotMatch(outcome, /refused/);
    assert.deepEqual(h.github.reviewComments.filter((c) => c.repo === 'acme/far-change'), []);
    assert.deepEqual(refusals('acme/far-change'), [], 'no review GitHub would refuse was sent');
    assert.match(comment.body, /### Recommendations/);
    assert.equal(comment.body.match(/could not be placed inline/g)?.length, 1, 'said once');
    assert.ok(comment.body.includes("3 suggestions could not be placed inline because their lines are not part of this pull request's diff"));
    assert.ok(comment.body.includes(`replace \`paas.yaml\` line ${lineOf(text, 'cpu:')} with\n\n\`\`\`yaml\n    cpu: 0.25\n\`\`\``), 'the cpu replacement is in the comment');
    assert.ok(comment.body.includes('    memory: 1Gi'));
    assert.equal(attempts, 1, 'done in one attempt');
  });

  it('posts a multi-line suggestion as a range (start_line..line) when the whole block is in one hunk', async () => {
    const repo = await h.repo('acme/block-change');
    const name = 'block-change';
    const block = (n: number) => helloApp({ name, cpu: 2, memory: '4Gi' }).replace('    instances: 2\n', `    instances:\n      min: ${n}\n      max: ${n}\n`) + footer;
    const base = await deployMain(repo, { 'paas.yaml': block(4) });
    await oversizedMetrics(repo.fullName, name); // once the push has recorded the repository
    const text = block(3);
    const { outcome } = await openPr(repo, 23, base, { 'paas.yaml': text });
    assert.doesNotMatch(outcome, /refused/);
    const range = h.github.reviewComments.find((c) => c.repo === 'acme/block-change' && c.body.includes('instances 3 →'));
    assert.ok(range, 'the instances suggestion is a review comment');
    const first = lineOf(text, 'instances:');
    assert.deepEqual([range.start_line, range.start_side, range.line, range.side], [first, 'RIGHT', first + 2, 'RIGHT']);
    assert.match(range.body, /```suggestion\n {4}instances: \{ min: \d+, max: \d+ \}\n {4}autoscaling: \{ cpu: \d+ \}\n```/);
    assert.deepEqual(refusals('acme/block-change'), []);
  });

  it('does not retry the PR when GitHub refuses the review anyway (422): the comment carries every suggestion and says why', async () => {
    const repo = await h.repo('acme/refused');
    const name = 'refused';
    const base = await deployMain(repo, { 'paas.yaml': helloApp({ name, cpu: 4, memory: '4Gi', instances: 4 }) + footer });
    await oversizedMetrics(repo.fullName, name); // once the push has recorded the repository
    h.github.injectFault({ method: 'POST', path: '/repos/acme/refused/pulls/24/reviews', status: 422, body: { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'] } });
    const { outcome, attempts } = await openPr(repo, 24, base, { 'paas.yaml': helloApp({ name, cpu: 2, memory: '4Gi', instances: 4 }) + footer });
    assert.match(outcome, /review refused, not retried: .*line must be part of the diff/);
    assert.equal(h.github.callsTo('POST', '/repos/acme/refused/pulls/24/reviews').length, 1, 'asked once');
    const comment = await eventually('the comment with every suggestion', () => commentsOn('acme/refused', 24).find((c) => c.body.includes('GitHub refused the review suggestions')));
    assert.ok(comment.body.includes('    cpu: 0.25') && comment.body.includes('    memory: 1Gi'));
    assert.ok(h.github.checkRuns.some((r) => r.repo === 'acme/refused' && r.name === 'slipway'), 'the check run is still reported');
    assert.equal(attempts, 1, 'not retried');
  });
});

describe('installation lifecycle', () => {
  it('records installations and their repositories, changes and removals', async () => {
    const db = h.service.deps.store.db;
    h.github.addInstallation({ id: 500, account: 'octo', repositories: ['octo/a', 'octo/b'] });
    await h.send('installation', installationPayload({ action: 'created', installationId: 500, account: 'octo', repositories: ['octo/a', 'octo/b'] }));
    const repos = await eventually('the repositories', async () => {
      const rows = await db.select().from(repositories).where(eq(repositories.installationId, 500));
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(repos.map((r) => r.fullName).sort(), ['octo/a', 'octo/b']);

    await h.send('installation_repositories', installationRepositoriesPayload({ action: 'added', installationId: 500, account: 'octo', added: ['octo/c'] }));
    await h.send('installation_repositories', installationRepositoriesPayload({ action: 'removed', installationId: 500, account: 'octo', removed: ['octo/a'] }));
    await eventually('repository changes', async () => {
      const rows = await db.select().from(repositories).where(eq(repositories.installationId, 500));
      const live = rows.filter((r) => !r.removedAt).map((r) => r.fullName).sort();
      return live.join(',') === 'octo/b,octo/c';
    });

    await h.send('installation', installationPayload({ action: 'suspend', installationId: 500, account: 'octo' }));
    await eventually('suspension', async () => (await db.select().from(installations).where(eq(installations.id, 500)))[0]?.suspendedAt);
    await h.send('installation', installationPayload({ action: 'unsuspend', installationId: 500, account: 'octo' }));
    await eventually('unsuspension', async () => (await db.select().from(installations).where(eq(installations.id, 500)))[0]?.suspendedAt === null);
    await h.send('installation', installationPayload({ action: 'deleted', installationId: 500, account: 'octo' }));
    await eventually('removal', async () => (await db.select().from(installations).where(eq(installations.id, 500)))[0]?.removedAt);
  });

  it('acknowledges a redelivery once: the job runs once', async () => {
    const id = crypto.randomUUID();
    const payload = installationPayload({ action: 'created', installationId: 501, account: 'dup', repositories: ['dup/x'] });
    assert.equal((await h.send('installation', payload, id)).status, 202);
    assert.equal((await h.send('installation', payload, id)).status, 200);
    assert.match(await eventually('the outcome', () => outcomeOf(id)), /recorded with 1 repositories/);
    const queued = await h.service.deps.store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${id}`));
    assert.equal(queued.length, 1);
    assert.equal(queued[0]!.attempts, 1, 'worked once');
  });
});
