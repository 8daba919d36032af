// A handled event whose payload lacks a field its job needs is recorded as skipped, with the
// field named: never a crash, never a retry; the worker goes on with the next delivery.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { installationPayload, installationRepositoriesPayload, issueCommentPayload, pullRequestPayload, pushPayload } from '../harness/payloads.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { eventually, helloApp, secret, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const outcomeOf = async (id: string) => {
  const [row] = await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row?.outcome ?? undefined;
};

/** A deep copy of `payload` without the field at `path` (dotted). */
function without(payload: object, path: string): object {
  const copy = structuredClone(payload) as Record<string, unknown>;
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  delete at[keys.at(-1)!];
  return copy;
}

describe('a handled event without a field its job needs', () => {
  it('is a recorded skip naming the field, run once, and the worker goes on', async () => {
    const repo = await h.repo('acme/malformed');
    const sha = await repo.commit({ 'paas.yaml': helloApp() });
    const common = { repo: repo.full, installationId: repo.installationId };
    const cases = [
      { event: 'push', payload: without(pushPayload({ ...common, after: sha }), 'repository.full_name'), field: 'repository.full_name' },
      { event: 'push', payload: { ...pushPayload({ ...common, after: sha }), after: 'not-a-sha' }, field: 'after' },
      { event: 'pull_request', payload: without(pullRequestPayload({ ...common, action: 'opened', number: 3, headSha: sha }), 'pull_request.head'), field: 'pull_request.head' },
      { event: 'issue_comment', payload: without(issueCommentPayload({ ...common, issueNumber: 3, body: '/slipway approve monthly-budget' }), 'comment.user'), field: 'comment.user' },
      { event: 'installation', payload: without(installationPayload({ action: 'created', installationId: 777, account: 'acme' }), 'installation.account'), field: 'installation.account' },
      { event: 'installation_repositories', payload: without(installationRepositoriesPayload({ action: 'added', installationId: 778, account: 'acme', added: ['acme/x'] }), 'repositories_added'), field: 'repositories_added' },
    ];
    const sent: Array<{ id: string; event: string; field: string }> = [];
    for (const c of cases) {
      const id = crypto.randomUUID();
      // Posted directly: h.send would register the pull request (which has no head) with the GitHub double.
      const body = JSON.stringify(c.payload);
      assert.equal((await fetch(`${h.service.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, c.event, body, id) })).status, 202);
      sent.push({ id, event: c.event, field: c.field });
    }
    for (const { id, event, field } of sent) {
      const outcome = await eventually(`the ${event} outcome`, () => outcomeOf(id));
      assert.match(outcome, new RegExp(`^ignored: the ${event} payload (lacks|has an invalid) ${field.replace('.', '\\.')}`));
      // The handler records the outcome, then the worker marks the job: wait for both.
      const job = await eventually(`the ${event} job finished`, async () => {
        const [row] = await h.service.deps.store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${id}`));
        return row && row.status !== 'queued' && row.status !== 'running' ? row : undefined;
      });
      assert.equal(job.status, 'completed', `${event}: the job is done, not failed`);
      assert.equal(job.attempts, 1, `${event}: not retried`);
    }

    // The worker is alive: a good push is planned.
    const good = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) });
    await h.send('push', pushPayload({ ...common, before: sha, after: good }));
    const run = await eventually('the check run of the good push', () => h.github.checkRuns.find((r) => r.repo === repo.fullName && r.head_sha === good));
    assert.equal(run.conclusion, 'success');
    assert.equal(h.github.checkRuns.filter((r) => r.repo === repo.fullName && r.head_sha === sha).length, 0, 'nothing was reported for the malformed push');
  });
});
