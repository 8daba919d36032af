// Every event GitHub sends, as real payloads: the community's examples (@octokit/webhooks-examples)
// and, for the events that have none there, realistic hand-written ones (harness/webhook-fixtures,
// named <event>.<action>.json). Each is answered 2xx when signed with the current or the previous
// secret (a rotation), and 401 with any other signature; nothing unsigned is stored.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { emitterEventNames } from '@octokit/webhooks';
import { eq } from 'drizzle-orm';
import { createHttpApp } from '../../src/http/app.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { webhookDeliveries } from '../../src/store/schema.ts';
import { signWebhook, webhookHeaders } from '../harness/sign-webhook.ts';

const current = 'the-new-secret';
const previous = 'the-secret-being-rotated-out';

type Definition = { name: string; examples: unknown[] };
const examples = (createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[]).flatMap((d) => d.examples.map((payload) => ({ event: d.name, payload })));
const fixtureDir = new URL('../harness/webhook-fixtures/', import.meta.url);
const fixtures = readdirSync(fixtureDir).map((file) => ({ event: file.split('.')[0]!, payload: JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')) as unknown }));
const deliveries = [...examples, ...fixtures];

let store: Store;
let app: ReturnType<typeof createHttpApp>;
before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  app = createHttpApp({ db: store.db, webhookSecret: current, previousWebhookSecret: previous, log: () => {} });
});
after(async () => {
  await store.close();
});

const post = (event: string, body: string, secret: string, deliveryId = crypto.randomUUID()) =>
  app.request('/webhooks/github', { method: 'POST', body, headers: webhookHeaders(secret, event, body, deliveryId) });
const stored = async (id: string) => (await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id)))[0];

describe('every event GitHub sends', () => {
  it('has a payload here for every event @octokit/webhooks knows', () => {
    const known = new Set(emitterEventNames.filter((n) => !n.includes('.')));
    const covered = new Set(deliveries.map((d) => d.event));
    assert.deepEqual([...known].filter((n) => !covered.has(n)), []);
    assert.ok(deliveries.length > 300, `${deliveries.length} payloads`);
  });

  it('answers 2xx to each, signed with the current secret, and records it', async () => {
    const failures: string[] = [];
    for (const { event, payload } of deliveries) {
      const id = crypto.randomUUID();
      const res = await post(event, JSON.stringify(payload), current, id);
      if (res.status !== 202) failures.push(`${event}: ${res.status} ${await res.text()}`);
      else if (!(await stored(id))) failures.push(`${event}: answered but not stored`);
    }
    assert.deepEqual(failures, []);
  });

  it('answers 2xx to each signed with the previous secret during a rotation', async () => {
    const statuses = new Set<number>();
    for (const { event, payload } of deliveries) statuses.add((await post(event, JSON.stringify(payload), previous)).status);
    assert.deepEqual([...statuses], [202]);
  });

  it('answers 401 to each signed with any other secret, and stores none of them', async () => {
    const ids: string[] = [];
    for (const { event, payload } of deliveries) {
      const id = crypto.randomUUID();
      ids.push(id);
      assert.equal((await post(event, JSON.stringify(payload), 'a-guessed-secret', id)).status, 401, event);
    }
    for (const id of ids.slice(0, 20)) assert.equal(await stored(id), undefined);
  });

  it('answers 401 to a signature over other bytes, a truncated one, another algorithm, or a body that is not UTF-8', async () => {
    const body = JSON.stringify(fixtures[0]!.payload);
    const headers = (signature: string) => ({ ...webhookHeaders(current, 'projects_v2', body), 'x-hub-signature-256': signature });
    for (const signature of [signWebhook(current, `${body} `), signWebhook(current, body).slice(0, -1), signWebhook(current, body).replace('sha256=', 'sha1='), '']) {
      assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers: headers(signature) })).status, 401, signature);
    }
    const bytes = Buffer.concat([Buffer.from('{"zen":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await app.request('/webhooks/github', { method: 'POST', body: bytes, headers: { ...webhookHeaders(current, 'ping', bytes), 'x-hub-signature-256': signWebhook(current, bytes) } });
    assert.equal(res.status, 401);
  });

  it('records an event it does not know, with a well-formed name, and answers 202', async () => {
    const id = crypto.randomUUID();
    const res = await post('copilot_seat_assignment', JSON.stringify({ action: 'created', installation: { id: 1 } }), current, id);
    assert.equal(res.status, 202);
    assert.match((await stored(id))?.outcome ?? '', /^ignored: copilot_seat_assignment is not an event @octokit\/webhooks knows/);
    const known = crypto.randomUUID();
    await post('projects_v2_item', JSON.stringify(fixtures[0]!.payload), current, known);
    assert.equal((await stored(known))?.outcome, 'ignored: projects_v2_item events are not handled');
  });

  it('refuses X-GitHub-Event only when it is missing or absurd', async () => {
    const body = '{"zen":"Design for failure."}';
    for (const event of ['', 'Push', 'push event', 'push;drop', 'a'.repeat(65), '_push', '9push']) {
      const headers: Record<string, string> = webhookHeaders(current, event, body);
      if (event === '') delete headers['x-github-event'];
      assert.equal((await app.request('/webhooks/github', { method: 'POST', body, headers })).status, 400, JSON.stringify(event));
    }
  });
});
