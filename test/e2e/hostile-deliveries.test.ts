// Row 3 of issue 13: signed deliveries in a row — a 12 MB push with 100,000 commits, an object
// nested 100,000 deep, an array nested 1,000,000 deep — then a normal push. The deep ones are
// refused at the door (400: GitHub never sends them; the embedded database's jsonb parser crashed
// on them and the spool loader retried forever), the large one is loaded, the normal push becomes
// a job and its check run, and /readyz stays honest throughout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { findDeliveryForJob } from '../../src/store/webhook-deliveries.ts';
import { fakeSha, pushPayload } from '../harness/payloads.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { eventually, helloApp, secret, startHarness, type Harness } from './service-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const post = (event: string, body: string, id = crypto.randomUUID()) =>
  fetch(`${h.service.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, event, body, id) });
const stored = async (id: string) => (await h.service.deps.store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id)))[0];

describe('hostile deliveries in a row, then a normal push', () => {
  it('refuses what GitHub could never send, loads the rest, and the normal push becomes a job', async () => {
    const repo = await h.repo('acme/hostile');
    const first = await repo.commit({ 'paas.yaml': helloApp() });
    const common = { repo: repo.full, installationId: repo.installationId };

    // 1. 12 MB, 100,000 commits: within GitHub's 25 MB, so accepted and loaded.
    const commits = Array.from({ length: 100_000 }, (_, i) => ({ id: fakeSha(`c${i}`), message: `commit ${i}`, url: `https://github.com/acme/hostile/commit/${fakeSha(`c${i}`)}` }));
    const large = JSON.stringify({ ...pushPayload({ ...common, after: first }), commits });
    assert.ok(large.length > 12_000_000 && large.length < 25 * 1024 * 1024, `${large.length} bytes`);
    const largeId = crypto.randomUUID();
    assert.equal((await post('push', large, largeId)).status, 202);

    // 2 and 3. Nested past any payload GitHub sends: 400, nothing stored.
    const head = JSON.stringify(pushPayload({ ...common, after: first })).slice(0, -1);
    for (const body of [`${head},"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, `${head},"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`]) {
      const id = crypto.randomUUID();
      const res = await post('push', body, id);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /nests deeper than 100 levels/);
      assert.equal(await stored(id), undefined);
    }

    // 4. A normal push: a job, planned, its check run posted.
    const second = await repo.commit({ 'paas.yaml': helloApp({ instances: 3 }) });
    const normalId = crypto.randomUUID();
    assert.equal((await post('push', JSON.stringify(pushPayload({ ...common, before: first, after: second })), normalId)).status, 202);
    const run = await eventually('the normal push’s check run', () => h.github.checkRuns.find((r) => r.repo === 'acme/hostile' && r.head_sha === second && r.status === 'completed'), 60_000);
    assert.equal(run.conclusion, 'success');
    const [job] = await h.service.deps.store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${normalId}`));
    assert.ok(job, 'the normal push became a job');
    assert.equal(((await stored(largeId))?.payload as { commits?: unknown[] } | null)?.commits?.length, 100_000, 'the 12 MB push was loaded whole');
    // Its job read it without the commits no handler needs (12 MB copied and parsed on the HTTP thread otherwise).
    const forJob = await findDeliveryForJob(h.service.deps.store.db, largeId);
    assert.equal((forJob?.payload as { commits?: unknown }).commits, undefined);
    assert.equal((forJob?.payload as { after?: unknown }).after, first);
    const ready = await fetch(`${h.service.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });
});
