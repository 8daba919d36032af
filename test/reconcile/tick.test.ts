// The reconcile tick against the GitHub double and a real Slipway (HTTP, worker, store: PGlite, or
// Postgres with DATABASE_URL): failed deliveries redelivered once, pushes never delivered found by
// polling heads, bad input recorded and skipped, rate limits respected with no lost work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { requestTick, waitForJob } from '../../src/reconcile/tick-job.ts';
import { findTickOfJob } from '../../src/store/reconcile-ticks.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { listRedeliveries } from '../../src/store/redeliveries.ts';
import { deployments, repositoryHeads, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload, repositoryPayload } from '../harness/payloads.ts';
import { eventually, helloApp, secret, startHarness, type Harness } from '../e2e/service-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
  h.github.setHookTarget(`${h.service.url}/webhooks/github`, secret);
});
after(async () => {
  await h?.close();
});

const db = () => h.service.deps.store.db;

async function tick() {
  const jobId = await requestTick(db());
  const job = await waitForJob(db(), jobId, { pollMs: 20 });
  assert.equal(job.status, 'completed', job.lastError ?? '');
  const row = await findTickOfJob(db(), jobId);
  assert.ok(row?.summary);
  return row.summary;
}

/** A repository in git, the double and the store (as an installation event would have recorded it). */
async function tracked(fullName: string, options: { defaultBranch?: string } = {}) {
  const repo = await h.repo(fullName);
  const id = repositoryPayload({ fullName }).id;
  await upsertInstallation(db(), { id: repo.installationId, accountLogin: fullName.split('/')[0]! });
  await upsertRepositories(db(), repo.installationId, [{ id, fullName, defaultBranch: options.defaultBranch ?? 'main' }]);
  return Object.assign(repo, { id });
}

const checkFor = (repo: string, sha: string) => () => h.github.checkRuns.find((r) => r.repo === repo && r.head_sha === sha && r.name === 'slipway');

describe('the reconcile tick', () => {
  it('redelivers a delivery that failed on GitHub’s side exactly once, and Slipway then plans its push', async () => {
    const repo = await tracked('acme/redeliver');
    const sha = await repo.commit({ 'paas.yaml': helloApp({ name: 'redeliver' }) });
    // GitHub tried while Slipway was down: a 502, never retried by GitHub itself.
    const payload = pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha });
    const failed = h.github.addHookDelivery({ event: 'push', payload, statusCode: 502 });
    // Another guid that failed first and then succeeded, and one Slipway stored although GitHub saw a timeout.
    const recovered = h.github.addHookDelivery({ event: 'ping', payload: { zen: 'hi' }, statusCode: 500 });
    h.github.addHookDelivery({ event: 'ping', payload: { zen: 'hi' }, statusCode: 202, guid: recovered.guid });
    const stored = h.github.addHookDelivery({ event: 'ping', payload: { zen: 'hi' }, statusCode: 0 });
    await h.send('ping', { zen: 'hi' }, stored.guid);
    // The embedded store takes deliveries through its spool: wait until it is loaded.
    await eventually('the stored ping', async () => (await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, stored.guid))).length > 0);
    // A delivery GitHub will not redeliver (older than it keeps them): refused 422, recorded, skipped.
    const tooOld = h.github.addHookDelivery({ event: 'ping', payload: {}, statusCode: 503, redeliverable: false });

    const summary = await tick();
    assert.equal(summary.redelivered, 1);
    assert.equal(summary.redeliveryRefused, 1);
    assert.ok(summary.problems.some((p) => p.includes(tooOld.guid) && /refused/.test(p)), summary.problems.join('\n'));
    const attempts = h.github.callsTo('POST', /^\/app\/hook\/deliveries\/\d+\/attempts$/);
    assert.deepEqual(attempts.map((c) => c.path).sort(), [`/app/hook/deliveries/${failed.id}/attempts`, `/app/hook/deliveries/${tooOld.id}/attempts`].sort());
    await h.github.redeliveriesSettled();
    const run = await eventually('the redelivered push’s check run', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'success');
    const [row] = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, failed.guid));
    assert.equal(row?.event, 'push');

    // The next tick sees the same failed attempt in its window, and asks for nothing again.
    await tick();
    assert.equal(h.github.callsTo('POST', /^\/app\/hook\/deliveries\/\d+\/attempts$/).length, 2);
    const recorded = await listRedeliveries(db());
    assert.equal(recorded.find((r) => r.guid === failed.guid)?.outcome, 'requested');
    assert.match(recorded.find((r) => r.guid === tooOld.guid)?.outcome ?? '', /^refused 422/);
  });

  it('plans a push GitHub never delivered within one tick, and reads unchanged heads with 304s after', async () => {
    const repo = await tracked('acme/never-delivered');
    const sha = await repo.commit({ 'paas.yaml': helloApp({ name: 'missed' }) });
    const first = await tick();
    assert.ok(first.enqueued >= 1, JSON.stringify(first));
    const run = await eventually('the check run of the missed push', checkFor(repo.fullName, sha));
    assert.equal(run.conclusion, 'success');
    const rows = await eventually('the deployment', async () => {
      const found = await db().select().from(deployments).where(eq(deployments.commitSha, sha));
      return found.length > 0 ? found : undefined;
    });
    // Recorded by the push job exactly as for a delivered push (planned here: the harness's
    // Terraform cannot init the AWS stacks offline; what the push job then does is its own).
    assert.equal(rows[0]!.trigger, 'push');

    // Nothing changed: a conditional read answered 304 (no rate limit spent), nothing enqueued.
    const before304 = h.github.callsTo('GET', `/repos/${repo.fullName}/branches/main`).length;
    const second = await tick();
    const reads = h.github.callsTo('GET', `/repos/${repo.fullName}/branches/main`).slice(before304);
    assert.deepEqual(reads.map((c) => c.status), [304]);
    assert.equal(second.enqueued, 0);

    // A push that is delivered is not enqueued a second time by the next tick.
    const next = await repo.commit({ 'src/app.js': 'console.log(1);\n' });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: sha, after: next }));
    await eventually('the delivered push’s check', checkFor(repo.fullName, next));
    const third = await tick();
    assert.equal(third.enqueued, 0);
    const [head] = await db().select().from(repositoryHeads).where(eq(repositoryHeads.repositoryId, repo.id));
    assert.equal(head?.sha, next);
  });

  it('records a deleted repository, a renamed default branch and a force-push, and goes on with the rest', async () => {
    const gone = await tracked('acme/gone');
    await gone.commit({ 'paas.yaml': helloApp({ name: 'gone' }) });
    const renamed = await tracked('acme/renamed');
    const renamedSha = await renamed.commit({ 'paas.yaml': helloApp({ name: 'renamed' }) });
    const forced = await tracked('acme/forced');
    const forcedFirst = await forced.commit({ 'paas.yaml': helloApp({ name: 'forced' }) });
    const healthy = await tracked('acme/healthy');
    await tick();
    await eventually('the forced repository’s first check', checkFor(forced.fullName, forcedFirst));
    const dropped = await forced.commit({ 'paas.yaml': helloApp({ name: 'forced', instances: 4 }) });
    await tick();
    await eventually('the check of the commit the force-push drops', checkFor(forced.fullName, dropped));

    // The App's access to one repository is removed (GitHub then answers 404 for it) …
    h.github.installations.get(gone.installationId)!.repositories = [];
    // … another's default branch is renamed to trunk …
    await renamed.setRef('refs/heads/trunk', renamedSha);
    await renamed.deleteBranch('main');
    h.github.addRepository(renamed.fullName, { defaultBranch: 'trunk' });
    // … a third is force-pushed to a commit that does not descend from its head …
    const forcedHead = await forced.commit({ 'paas.yaml': helloApp({ name: 'forced', instances: 3 }) }, { branch: 'rewrite', parent: forcedFirst });
    await forced.forcePush('main', forcedHead);
    // … and a healthy one gets a push GitHub never delivered.
    const healthySha = await healthy.commit({ 'paas.yaml': helloApp({ name: 'healthy' }) });

    const summary = await tick();
    assert.ok(summary.problems.some((p) => p.startsWith('acme/gone:') && /repository not found/.test(p)), summary.problems.join('\n'));
    assert.ok(summary.problems.some((p) => p.startsWith('acme/renamed:') && /renamed from main to trunk/.test(p)), summary.problems.join('\n'));
    await eventually('the healthy repository’s check', checkFor(healthy.fullName, healthySha));
    await eventually('the force-pushed head’s check', checkFor(forced.fullName, forcedHead));
    const [goneHead] = await db().select().from(repositoryHeads).where(eq(repositoryHeads.repositoryId, gone.id));
    assert.match(goneHead?.problem ?? '', /repository not found/);
    const [renamedHead] = await db().select().from(repositoryHeads).where(eq(repositoryHeads.repositoryId, renamed.id));
    assert.equal(renamedHead?.branch, 'trunk');
    assert.equal(renamedHead?.sha, renamedSha);
  });

  it('backs off on a secondary rate limit and reads what it left on the next tick: no push is lost', async () => {
    const repo = await tracked('acme/limited');
    const sha = await repo.commit({ 'paas.yaml': helloApp({ name: 'limited' }) });
    // A secondary rate limit: 403 with retry-after. The tick leaves this installation …
    h.github.injectFault({ method: 'GET', path: `/repos/${repo.fullName}/branches/main`, status: 403, retryAfter: 2, times: 10 });
    const limited = await tick();
    assert.ok(limited.deferred >= 1);
    assert.ok(limited.problems.some((p) => p.startsWith(`installation ${repo.installationId}: rate limited`)), limited.problems.join('\n'));
    assert.equal(limited.rate?.[String(repo.installationId)]?.backoffSec, 2);
    const [unread] = await db().select().from(repositoryHeads).where(eq(repositoryHeads.repositoryId, repo.id));
    assert.equal(unread, undefined, 'a repository the tick could not read is not marked read');
    h.github.clearFaults();
    // … and a tick before the retry-after has passed asks nothing of it.
    const reads = () => h.github.callsTo('GET', `/repos/${repo.fullName}/branches/main`).length;
    const readsBefore = reads();
    const waiting = await tick();
    assert.equal(reads(), readsBefore);
    assert.ok(waiting.deferred >= 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const next = await tick();
    assert.ok(next.enqueued >= 1);
    await eventually('the check run', checkFor(repo.fullName, sha));
  });

  it('spends at most its share of an installation’s remaining rate limit, and the next tick reads the rest first', async () => {
    const account = 'budget';
    const repos = [];
    for (let i = 0; i < 4; i++) {
      const repo = await h.repo(`${account}/r${i}`);
      repos.push({ repo, id: repositoryPayload({ fullName: repo.fullName }).id });
    }
    // One installation holding all four.
    const installationId = 9_001;
    h.github.addInstallation({ id: installationId, account, repositories: repos.map((r) => r.repo.fullName) });
    await upsertInstallation(db(), { id: installationId, accountLogin: account });
    await upsertRepositories(db(), installationId, repos.map((r) => ({ id: r.id, fullName: r.repo.fullName, defaultBranch: 'main' })));
    for (const { repo } of repos) await repo.commit({ 'README.md': 'no app here\n' });
    await h.service.deps.github.installationToken(installationId);
    h.github.setRateLimit(installationId, 5); // half of it: 2 reads this tick
    const first = await tick();
    const rate = first.rate?.[String(installationId)];
    assert.ok(rate && rate.budget <= 2 && rate.spent <= 2, JSON.stringify(rate));
    const read = await db().select().from(repositoryHeads);
    const readIds = new Set(read.map((r) => r.repositoryId));
    const unread = repos.filter((r) => !readIds.has(r.id));
    assert.ok(unread.length >= 2, 'the tick left repositories for the next one');
    h.github.setRateLimit(installationId, 5000);
    await tick();
    const after = new Set((await db().select().from(repositoryHeads)).map((r) => r.repositoryId));
    for (const r of unread) assert.ok(after.has(r.id), `${r.repo.fullName} read by the next tick`);
  });
});
