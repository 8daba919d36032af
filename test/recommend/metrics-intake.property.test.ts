/**
 * Property-based tests of the metrics intake (fast-check) through the real route and store,
 * bounded by a run count and a time budget: whatever the body, the answer is 200, 400 or 404,
 * never a 5xx; a 400 names a sample that exists; and what is stored is, instant for instant, the
 * last value sent for it, however its time was written.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { metricsRoute } from '../../src/http/routes/metrics.ts';
import { storeSeries } from '../../src/metrics/store-series.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { readMetricSamples } from '../../src/store/metric-samples.ts';
import type { Store } from '../../src/store/open-store.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { openTestPglite } from '../store/engines.ts';

const budget = (ms: number, numRuns: number) => ({ numRuns, interruptAfterTimeLimit: ms, markInterruptAsFailure: false });
const now = Date.parse('2026-03-01T00:00:00Z');
let store: Store;
let route: ReturnType<typeof metricsRoute>;
let nextApp = 0;

before(async () => {
  store = await openTestPglite();
  await upsertInstallation(store.db, { id: 9, accountLogin: 'acme' });
  await upsertRepositories(store.db, 9, [{ id: 900, fullName: 'acme/shop' }]);
  route = metricsRoute({ storeSeries: (s) => storeSeries(store.db, s), storeIsUp: async () => true, now: () => now, maxSamples: 5_000 });
});
after(() => store?.close());

const post = (body: string, type = 'application/json') => route.request('/', { method: 'POST', headers: { 'content-type': type }, body });

/** Times a client might send, plausible or not, in every format. */
const time = fc.oneof(
  fc.integer({ min: Date.parse('2025-01-01'), max: now }),
  fc.integer({ min: Date.parse('2025-01-01') / 1000, max: now / 1000 }),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(1e20, -1e15, 0, '0000-01-01T00:00:00Z', 'yesterday', '', null, true),
  fc.double(),
);
const value = fc.oneof(fc.double({ min: 0, max: 100 }), fc.double(), fc.constantFrom(1e300, -1, 0, '5', null));
const point = fc.oneof(fc.tuple(time, value), fc.record({ t: time, v: value }), fc.jsonValue({ maxDepth: 2 }));

test('any body gets 200, 400 or 404 — never a 5xx — and a 400 names a sample that is there', async () => {
  const series = fc.record(
    {
      repository: fc.oneof(fc.constant('acme/shop'), fc.constant('rival/shop'), fc.string({ maxLength: 12 })),
      app: fc.oneof(fc.constant('p'), fc.string({ maxLength: 6 })),
      service: fc.constant('web'),
      metric: fc.oneof(fc.constantFrom('cpu', 'memory', 'requests', 'instances'), fc.string({ maxLength: 6 })),
      samples: fc.array(point, { maxLength: 30 }),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(series.map((s) => JSON.stringify(s)), fc.array(series, { maxLength: 3 }).map((s) => JSON.stringify(s)), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 100 }));
  await fc.assert(
    fc.asyncProperty(body, async (text) => {
      const res = await post(text);
      assert.ok([200, 400, 404].includes(res.status), `${res.status} for ${text.slice(0, 200)}`);
      if (res.status !== 400) return;
      const answer = (await res.json()) as { error: string; sample?: { series: number; index: number; field: string } };
      assert.ok(answer.error.length > 0);
      if (!answer.sample) return;
      const parsed = JSON.parse(text) as unknown;
      const all = (Array.isArray(parsed) ? parsed : [parsed]) as { samples: unknown[] }[];
      assert.ok(answer.sample.index < all[answer.sample.series]!.samples.length, JSON.stringify(answer));
      assert.ok(['time', 'value'].includes(answer.sample.field));
    }),
    budget(20_000, 200),
  );
});

test('stored samples are the last value sent for each instant, whatever format each time was written in', async () => {
  const minute = fc.integer({ min: 0, max: 3 * 24 * 60 }); // three days: several stored rows per series
  const write = fc.tuple(minute, fc.constantFrom('s', 'ms', 'iso'), fc.double({ min: 0, max: 100, noNaN: true }));
  const start = Date.parse('2026-02-01T00:00:00Z');
  const as = (m: number, format: string) => (format === 's' ? start / 1000 + m * 60 : format === 'ms' ? start + m * 60_000 : new Date(start + m * 60_000).toISOString());
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(write, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }), async (requests) => {
      const app = `p${nextApp++}`;
      const model = new Map<number, number>();
      for (const writes of requests) {
        const res = await post(JSON.stringify({ repository: 'acme/shop', app, service: 'web', metric: 'cpu', samples: writes.map(([m, format, v]) => [as(m, format), v]) }));
        assert.equal(res.status, 200, await res.text());
        for (const [m, , v] of writes) model.set(start + m * 60_000, v);
      }
      const stored = await readMetricSamples(store.db, { installationId: 9, repositoryId: 900 }, app, 'web', 'cpu', new Date(start), new Date(start + 4 * 86_400_000));
      const expected = [...model].sort(([a], [b]) => a - b);
      assert.deepEqual(stored.map((s) => [s.at.getTime(), s.value]), expected);
    }),
    budget(20_000, 60),
  );
});
