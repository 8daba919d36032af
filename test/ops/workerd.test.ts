/**
 * The Cloudflare Workers entry (src/worker-entry.ts) proven in real workerd, against a Postgres
 * database of the test's own standing in for Hyperdrive: a signed delivery → 202 → its row and job
 * in Postgres → a Node worker claims the job; a forged one → 401 with nothing stored; the API's
 * token check answers there too. Needs DATABASE_URL (CI sets it; test/run.mjs says when it is not).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { webhookJobKind } from '../../src/intake/job-for-delivery.ts';
import { runWorker } from '../../src/jobs/run-worker.ts';
import type { Job } from '../../src/store/schema.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { pushPayload } from '../harness/payloads.ts';
import { webhookHeaders } from '../harness/sign-webhook.ts';
import { startWorkerd, wranglerCompatibility, type Workerd } from '../harness/workerd.ts';
import { createTestDatabase, postgresUrl } from '../store/engines.ts';

const secret = 'workerd-webhook-secret';

if (postgresUrl) {
  describe('the Workers entry in workerd', () => {
    let store: Store;
    let drop: () => Promise<void>;
    let workerd: Workerd;

    before(async () => {
      const created = await createTestDatabase(postgresUrl!);
      drop = created.drop;
      // Migrations are applied by a Node host (`slipway migrate`), never by the Worker.
      store = await openStore({ databaseUrl: created.url });
      workerd = await startWorkerd({ databaseUrl: created.url, webhookSecret: secret, apiToken: 'workerd-admin-token' });
    });
    after(async () => {
      await workerd?.stop();
      await store?.close();
      await drop?.();
    });

    it('runs with wrangler.toml’s compatibility settings', () => {
      const { flags } = wranglerCompatibility();
      assert.ok(flags.includes('nodejs_compat'));
    });

    it('stores a signed delivery and its job in Postgres (202), and a Node worker claims the job', async () => {
      const body = JSON.stringify(pushPayload({ repo: { fullName: 'acme/edge', defaultBranch: 'main' }, installationId: 5, after: 'c'.repeat(40), before: 'd'.repeat(40) }));
      const id = crypto.randomUUID();
      const res = await fetch(`${workerd.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) });
      assert.equal(res.status, 202, `${await res.clone().text()}\n${workerd.log()}`);
      assert.deepEqual(await res.json(), { delivery: id, status: 'queued' });
      const [row] = await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
      assert.equal(row?.event, 'push');
      assert.equal(row?.installationId, 5);
      assert.equal((row?.payload as { after?: string }).after, 'c'.repeat(40));

      const claimed: Job[] = [];
      const controller = new AbortController();
      const worker = runWorker({
        store,
        workerId: 'node-worker',
        pollMs: 50,
        signal: controller.signal,
        handlers: {
          [webhookJobKind]: async (job) => {
            claimed.push(job);
            controller.abort();
          },
        },
      });
      await worker;
      assert.equal(claimed.length, 1);
      assert.equal((claimed[0]!.payload as { deliveryId?: string }).deliveryId, id);
      const [job] = await store.db.select().from(jobs).where(eq(jobs.id, claimed[0]!.id));
      assert.equal(job?.status, 'completed');
      // A redelivery is acknowledged, not stored twice.
      const again = await fetch(`${workerd.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders(secret, 'push', body, id) });
      assert.equal(again.status, 200);
    });

    it('answers 401 to a forged delivery and stores nothing', async () => {
      const body = JSON.stringify(pushPayload({ repo: { fullName: 'acme/edge', defaultBranch: 'main' }, installationId: 5, after: 'e'.repeat(40), before: 'd'.repeat(40) }));
      const id = crypto.randomUUID();
      const res = await fetch(`${workerd.url}/webhooks/github`, { method: 'POST', body, headers: webhookHeaders('not-the-secret', 'push', body, id) });
      assert.equal(res.status, 401);
      assert.equal((await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id))).length, 0);
    });

    it('serves the API there too: 401 without a token, the deliveries with the admin token', async () => {
      assert.equal((await fetch(`${workerd.url}/api/v1/deliveries`)).status, 401);
      const res = await fetch(`${workerd.url}/api/v1/deliveries?limit=5`, { headers: { authorization: 'Bearer workerd-admin-token' } });
      assert.equal(res.status, 200, await res.clone().text());
      const page = (await res.json()) as { items: Array<{ event: string }> };
      assert.equal(page.items[0]?.event, 'push');
    });
  });
}
