// Row 1 of issue 13: a signed delivery can name any installation and any clone URL. Slipway asks
// for a token only for a repository the named installation holds (recorded, or confirmed through
// GitHub as the App), and clones only from the configured GitHub host, so a token never leaves
// for a URL a payload carries. Every refusal ends the job once, with the reason as its outcome.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { findRepository } from '../../src/store/repositories.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { installationPayload, installationRepositoriesPayload, pushPayload, repositoryIdOf } from '../harness/payloads.ts';
import { eventually, helloApp, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
let listener: Server;
let listenerUrl: string;
const heard: string[] = [];

before(async () => {
  h = await startHarness();
  // What an attacker would point clone_url at: it records every request (with its credentials).
  listener = createServer((req, res) => {
    heard.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
after(async () => {
  await h?.close();
  await new Promise((resolve) => listener?.close(resolve));
});

const finished = async (deliveryId: string) => {
  const outcome = await eventually(`the outcome of ${deliveryId}`, async () => {
    const [row] = await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    return row?.outcome && !row.outcome.startsWith('failed, will retry') ? row.outcome : undefined;
  });
  // The handler records the outcome, then the worker marks the job: wait for both.
  const job = await eventually(`the job of ${deliveryId} finished`, async () => {
    const [row] = await h.service.deps.store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${deliveryId}`));
    return row && row.status !== 'queued' && row.status !== 'running' ? row : undefined;
  });
  return { outcome, job };
};
const tokensFor = (installationId: number) => h.github.calls.filter((c) => c.method === 'POST' && c.path === `/app/installations/${installationId}/access_tokens`).length;

describe('a delivery naming an installation and a clone URL', () => {
  it('gets no token for another installation, sends nothing to the clone_url it names, and ends with the reason', async () => {
    const attacker = await h.repo('mallory/app');
    const victim = await h.repo('victim/secret');
    const sha = await attacker.commit({ 'paas.yaml': helloApp() });
    const deliveryId = crypto.randomUUID();
    // Signed (the webhook secret leaked), naming the victim's installation and a listener to clone from.
    const payload = pushPayload({ repo: { fullName: 'mallory/app', cloneUrl: `${listenerUrl}/x.git` }, installationId: victim.installationId, after: sha });
    assert.equal((await h.send('push', payload, deliveryId)).status, 202);

    const { outcome, job } = await finished(deliveryId);
    assert.match(outcome, /^ignored: mallory\/app does not belong to installation \d+, which the delivery names; no token was requested/);
    assert.equal(job.status, 'completed');
    assert.equal(job.attempts, 1, 'not retried');
    assert.equal(tokensFor(victim.installationId), 0, 'no token minted for the installation the delivery named');
    assert.deepEqual(heard, [], 'the listener heard nothing');
    // The confirmation was asked as the App (a JWT), not with a token.
    const asked = h.github.calls.find((c) => c.path === '/repos/mallory/app/installation');
    assert.equal(asked?.auth, 'jwt');
  });

  it('clones a repository the installation holds from the configured host, whatever clone_url says', async () => {
    const repo = await h.repo('acme/owned');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    const before = h.git.requests.length;
    await h.send('push', pushPayload({ repo: { fullName: 'acme/owned', cloneUrl: `${listenerUrl}/x.git` }, installationId: repo.installationId, after: sha }));
    const run = await eventually('the check run', () => h.github.checkRuns.find((r) => r.repo === 'acme/owned' && r.head_sha === sha && r.status === 'completed'));
    assert.equal(run.conclusion, 'success');
    assert.deepEqual(heard, [], 'the listener heard nothing');
    assert.ok(h.git.requests.slice(before).some((r) => r.path.startsWith('/acme/owned.git/')), 'fetched from the git server the settings name');
  });

  it('refuses a repository id that is not the named repository’s, and keeps the store’s tenants apart', async () => {
    const first = await h.repo('acme/first');
    const second = await h.repo('other/second');
    const sha = await first.commit({ 'paas.yaml': helloApp() });
    // Recorded under its installation by a first push.
    await h.send('push', pushPayload({ repo: second.full, installationId: second.installationId, after: await second.commit({ 'paas.yaml': helloApp() }) }));
    await eventually('other/second recorded', () => findRepository(h.service.deps.store.db, repositoryIdOf('other/second')));

    // acme/first's installation and name, with other/second's id.
    const deliveryId = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: { fullName: 'acme/first', id: repositoryIdOf('other/second') }, installationId: first.installationId, after: sha }), deliveryId);
    const { outcome, job } = await finished(deliveryId);
    assert.match(outcome, /^ignored: the delivery gives acme\/first the id \d+, GitHub gives it \d+/);
    assert.equal(job.attempts, 1);
    const row = await findRepository(h.service.deps.store.db, repositoryIdOf('other/second'));
    assert.equal(row?.installationId, second.installationId, 'the repository stays with its installation');
    assert.equal(row?.fullName, 'other/second');
  });

  it('refuses a repository the App is not installed on, and a name GitHub could not give', async () => {
    const repo = await h.repo('acme/known');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    const notInstalled = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: { fullName: 'nobody/nothing' }, installationId: repo.installationId, after: sha }), notInstalled);
    assert.match((await finished(notInstalled)).outcome, /^ignored: the App is not installed on nobody\/nothing/);
    const traversal = crypto.randomUUID();
    await h.send('push', pushPayload({ repo: { fullName: 'acme/..' }, installationId: repo.installationId, after: sha }), traversal);
    assert.match((await finished(traversal)).outcome, /^ignored: the push payload has an invalid repository\.full_name/);
    assert.deepEqual(heard, []);
  });

  it('trusts what installation events recorded without asking GitHub again, and what they moved away no longer', async () => {
    const repo = await h.repo('acme/recorded');
    await h.send('installation', installationPayload({ action: 'created', installationId: repo.installationId, account: 'acme', repositories: ['acme/recorded'] }));
    await eventually('acme/recorded recorded', () => findRepository(h.service.deps.store.db, repositoryIdOf('acme/recorded')));
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, after: sha }));
    await eventually('the check run', () => h.github.checkRuns.find((r) => r.repo === 'acme/recorded' && r.head_sha === sha && r.status === 'completed'));
    assert.equal(h.github.calls.filter((c) => c.path === '/repos/acme/recorded/installation').length, 0, 'recorded: GitHub was not asked');

    // Removed from the installation (the event recorded it): a push naming it is confirmed through GitHub, which refuses.
    await h.send('installation_repositories', installationRepositoriesPayload({ action: 'removed', installationId: repo.installationId, account: 'acme', removed: ['acme/recorded'] }));
    await eventually('acme/recorded removed', async () => (await findRepository(h.service.deps.store.db, repositoryIdOf('acme/recorded')))?.removedAt ?? undefined);
    h.github.installations.get(repo.installationId)!.repositories = [];
    const deliveryId = crypto.randomUUID();
    const tokensBefore = tokensFor(repo.installationId);
    await h.send('push', pushPayload({ repo: repo.full, installationId: repo.installationId, before: sha, after: await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) }) }), deliveryId);
    assert.match((await finished(deliveryId)).outcome, /^ignored: the App is not installed on acme\/recorded/);
    assert.equal(tokensFor(repo.installationId), tokensBefore, 'no token asked for');
  });
});
