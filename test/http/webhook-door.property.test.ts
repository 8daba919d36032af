/**
 * Property-based tests of the webhook door (fast-check), through the real route and an embedded
 * store, bounded by a run count and a time budget:
 *  - only a body signed with the webhook secret (or the previous one) is stored; anything else is
 *    a 401 and nothing is stored, whatever the body, the headers or the signature's shape;
 *  - a signed (non-empty) body always gets a 2xx, 400, 413 or 415, never a 5xx; a 400 stores nothing;
 *  - nesting deeper than 100 levels is a 400 exactly when the text (strings aside) nests that deep;
 *  - routing: a stored delivery has a job exactly when the answer says `queued`, and the job is the
 *    one `jobForDelivery` gives (kind and concurrency key) — pushes to the default branch, pull
 *    requests with a handled action, `/slipway approve` comments, installation events; anything
 *    else is recorded with an outcome and no job.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { createHttpApp } from '../../src/http/app.ts';
import { jobForDelivery } from '../../src/intake/job-for-delivery.ts';
import type { Store } from '../../src/store/open-store.ts';
import { jobs, webhookDeliveries } from '../../src/store/schema.ts';
import { signWebhook } from '../harness/sign-webhook.ts';
import { openTestPglite } from '../store/engines.ts';

const budget = (ms: number, numRuns: number) => ({ numRuns, interruptAfterTimeLimit: ms, markInterruptAsFailure: false });
const secret = 'door-secret';
const previous = 'door-secret-before';
let store: Store;
let app: ReturnType<typeof createHttpApp>;

before(async () => {
  store = await openTestPglite();
  app = createHttpApp({ db: store.db, webhookSecret: secret, previousWebhookSecret: previous, maxBodyBytes: 64 * 1024, log: () => {} });
});
after(() => store?.close());

let nextId = 0;
const deliveryId = () => `door-${process.pid}-${nextId++}`;
const post = (body: string, headers: Record<string, string>) => app.request('/webhooks/github', { method: 'POST', body, headers });
const headersFor = (event: string, id: string, body: string, signature: string | undefined, type = 'application/json') => ({
  'content-type': type,
  'x-github-event': event,
  'x-github-delivery': id,
  ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
});
const storedRow = async (id: string) => (await store.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id)))[0];
const jobOf = async (id: string) => (await store.db.select().from(jobs).where(eq(jobs.idempotencyKey, `delivery:${id}`)))[0];

const eventName = fc.oneof(fc.constantFrom('push', 'pull_request', 'issue_comment', 'installation', 'installation_repositories', 'ping', 'projects_v2_item', 'check_run'), fc.string({ maxLength: 70 }));
const anyBody = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 300 }), fc.constant(''));

test('only a body signed with the secret is stored: any other signature is a 401, and nothing is kept', async () => {
  const forged = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }),
    fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
    fc.tuple(fc.string({ maxLength: 30 }), fc.string({ minLength: 1, maxLength: 20 })).map(([other, key]) => signWebhook(key === secret || key === previous ? `${key}!` : key, other)),
  );
  await fc.assert(
    fc.asyncProperty(anyBody, eventName, forged, async (body, event, signature) => {
      const id = deliveryId();
      const res = await post(body, headersFor('ping', id, body, signature));
      // A signature over another body, or with another key, never verifies (HMAC-SHA256).
      const valid = signature !== undefined && (signature === signWebhook(secret, body) || signature === signWebhook(previous, body));
      if (valid) return; // (astronomically unlikely) a forged one that is right
      assert.equal(res.status, 401, `${res.status} for ${event} ${body.slice(0, 80)}`);
      assert.equal(await storedRow(id), undefined);
    }),
    budget(8_000, 300),
  );
});

test('a signed body gets 2xx, 400, 413 or 415 — never a 5xx — and what is stored is routed as jobForDelivery says', async () => {
  const repository = fc.record({ id: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.constant('7')), full_name: fc.constantFrom('acme/app', 'acme/..'), default_branch: fc.constantFrom('main', 'trunk') }, { requiredKeys: [] });
  const payload = fc.record(
    {
      action: fc.constantFrom('opened', 'synchronize', 'closed', 'created', 'deleted', 'labeled', 'added'),
      ref: fc.constantFrom('refs/heads/main', 'refs/heads/trunk', 'refs/heads/feature', 'refs/tags/v1'),
      deleted: fc.boolean(),
      number: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant(-1)),
      repository,
      installation: fc.record({ id: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.constant(null)) }),
      issue: fc.record({ number: fc.integer({ min: 1, max: 100 }), pull_request: fc.constantFrom({ url: 'x' }, null) }, { requiredKeys: [] }),
      comment: fc.record({ body: fc.constantFrom('/slipway approve budget', 'looks good', '  /slipway   approve x\nthanks') }),
      noise: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof({ weight: 4, arbitrary: payload.map((p) => JSON.stringify(p)) }, { weight: 1, arbitrary: anyBody });
  await fc.assert(
    fc.asyncProperty(body, eventName, fc.boolean(), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'), async (text, event, rotated, type) => {
      const id = deliveryId();
      const res = await post(text, headersFor(event, id, text, signWebhook(rotated ? previous : secret, text), type));
      // An empty body has nothing a signature could cover: refused as unsigned.
      const allowed = text === '' ? [401, 415] : [200, 202, 400, 413, 415];
      assert.ok(allowed.includes(res.status), `${res.status} for ${event} ${text.slice(0, 120)}`);
      const row = await storedRow(id);
      if (res.status !== 202) {
        assert.equal(row, undefined, `${res.status} stored nothing`);
        return;
      }
      const answer = (await res.json()) as { status: string; outcome?: string };
      // What HTTP carries: a header value's leading and trailing spaces and tabs are not part of it (RFC 9110 §5.5).
      const received = event.replace(/^[ \t]+|[ \t]+$/g, '');
      assert.equal(row?.event, received);
      const expected = jobForDelivery(id, received, JSON.parse(text));
      const job = await jobOf(id);
      assert.equal(answer.status, expected.job ? 'queued' : 'recorded');
      assert.equal(job?.kind, expected.job?.kind);
      assert.equal(job?.concurrencyKey ?? undefined, expected.job?.concurrencyKey);
      if (!expected.job) assert.equal(row?.outcome, expected.outcome);
    }),
    budget(15_000, 300),
  );
});

test('nesting past 100 levels is a 400 exactly when the text nests that deep, brackets inside strings aside', async () => {
  const level = fc.constantFrom('[', '{"k":', '{"[{":');
  const filler = fc.constantFrom('1', '"]]]}}}"', '"\\"[[["', 'null');
  await fc.assert(
    fc.asyncProperty(fc.array(level, { minLength: 1, maxLength: 160 }), filler, async (levels, inner) => {
      const opened = levels.join('');
      const closed = levels.map((l) => (l === '[' ? ']' : '}')).reverse().join('');
      const text = `{"zen":"z","x":${opened}${inner}${closed}}`;
      const id = deliveryId();
      const res = await post(text, headersFor('ping', id, text, signWebhook(secret, text)));
      const depth = levels.length + 1;
      if (depth > 100) {
        assert.equal(res.status, 400, `depth ${depth}`);
        assert.match(((await res.json()) as { error: string }).error, /nests deeper than 100 levels/);
        assert.equal(await storedRow(id), undefined);
      } else assert.equal(res.status, 202, `depth ${depth}`);
    }),
    budget(8_000, 200),
  );
});
