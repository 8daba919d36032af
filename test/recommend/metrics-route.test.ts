import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpApp } from '../../src/http/app.ts';
import { metricsRoute } from '../../src/http/routes/metrics.ts';
import { IntakeError } from '../../src/metrics/intake-error.ts';
import { readSeriesOffThread } from '../../src/metrics/read-series-off-thread.ts';
import { storeSeries } from '../../src/metrics/store-series.ts';
import { storeSeriesInStoreThread } from '../../src/metrics/store-series-task.ts';
import type { ThreadStore } from '../../src/store/open-pglite-thread.ts';
import { upsertInstallation } from '../../src/store/installations.ts';
import { readMetricSamples, type SampleScope } from '../../src/store/metric-samples.ts';
import type { Store } from '../../src/store/open-store.ts';
import { upsertRepositories } from '../../src/store/repositories.ts';
import { openTestPglite } from '../store/engines.ts';

const token = 'metrics-token';
const scope: SampleScope = { installationId: 7, repositoryId: 700 };
const t0 = Date.parse('2026-01-05T00:00:00Z');
let store: Store;
let nextApp = 0;

before(async () => {
  store = await openTestPglite();
  await upsertInstallation(store.db, { id: 7, accountLogin: 'acme' });
  await upsertRepositories(store.db, 7, [{ id: 700, fullName: 'acme/shop' }]);
});
after(() => store?.close());

/** A fresh app name per test: tests share one store. */
function setup(options: { maxSamples?: number; now?: number } = {}) {
  const app = `shop${nextApp++}`;
  const route = metricsRoute({ storeSeries: (s) => storeSeries(store.db, s), storeIsUp: async () => true, maxSamples: options.maxSamples ?? 1000, now: () => options.now ?? t0 + 86_400_000 });
  const post = (body: unknown, type = 'application/json', query = '') =>
    route.request(`/${query}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const stored = async (metric = 'cpu') =>
    (await readMetricSamples(store.db, scope, app, 'web', metric, new Date(0), new Date('3000-01-01T00:00:00Z'))).map((r) => [r.at.toISOString(), r.value]);
  const series = (samples: unknown[], extra: Record<string, unknown> = {}) => ({ repository: 'acme/shop', app, service: 'web', metric: 'cpu', samples, ...extra });
  return { app, post, stored, series };
}

describe('POST /api/v1/metrics', () => {
  it('stores JSON samples with epoch-second, epoch-ms and ISO timestamps under the named repository', async () => {
    const { post, stored, series } = setup();
    const res = await post(series([[1767571200, 12.5], [1767571260000, 13], { t: '2026-01-05T00:02:00Z', v: 14 }]));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { written: 3 });
    assert.deepEqual(await stored(), [
      ['2026-01-05T00:00:00.000Z', 12.5],
      ['2026-01-05T00:01:00.000Z', 13],
      ['2026-01-05T00:02:00.000Z', 14],
    ]);
  });

  it('accepts an array of series in one request', async () => {
    const { post, stored, series } = setup();
    const res = await post([series([[1767571200, 1]]), series([[1767571200, 2]], { metric: 'memory' })], 'application/json; charset=utf-8');
    assert.equal(res.status, 200);
    assert.deepEqual([await stored('cpu'), await stored('memory')], [[['2026-01-05T00:00:00.000Z', 1]], [['2026-01-05T00:00:00.000Z', 2]]]);
  });

  it('stores CSV with repository, app, service and metric in the query string', async () => {
    const { app, post, stored } = setup({ now: Date.parse('2014-03-01T00:00:00Z') });
    const res = await post('timestamp,value\n2014-02-14 14:30:00,0.132\n2014-02-14 14:35:00,0.134\n', 'text/csv', `?repository=acme/shop&app=${app}&service=web&metric=cpu`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await stored(), [
      ['2014-02-14T14:30:00.000Z', 0.132],
      ['2014-02-14T14:35:00.000Z', 0.134],
    ]);
  });

  it('keeps the last value of an instant given twice, even once as epoch seconds and once as ISO (was a 503)', async () => {
    const { post, stored, series } = setup();
    const res = await post(series([[1767571200, 1], [1767571200, 2], ['2026-01-05T00:01:00Z', 3], [1767571260, 4], [1767571260000, 5]]));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { written: 2 });
    assert.deepEqual(await stored(), [
      ['2026-01-05T00:00:00.000Z', 2],
      ['2026-01-05T00:01:00.000Z', 5],
    ]);
  });

  const impossible: [string, unknown, string, RegExp][] = [
    ['a time of 1e20', [t0, 1], 'time', /samples\[1\] time: 100000000000000000000 is not a possible sample time/],
    ['a time of -1e15', [t0, 1], 'time', /samples\[1\] time: -1000000000000000 is not a possible sample time/],
    ['the year 0000', [t0, 1], 'time', /samples\[1\] time: "0000-01-01T00:00:00Z" is not a possible sample time/],
    ['a time a week ahead', [t0, 1], 'time', /is not a possible sample time: samples lie between 2000-01-01 and one day from now/],
    ['a cpu utilisation of 1e300', [t0, 1], 'value', /samples\[1\] value: 1e\+300 is above 100000, the most a cpu utilisation/],
    ['an infinite value', [t0, 1], 'value', /samples\[1\] value: Infinity must be a finite number/],
    ['a negative value', [t0, 1], 'value', /samples\[1\] value: -4 is negative/],
    ['a value that is a word', [t0, 1], 'value', /samples\[1\] value: "high" is not a number/],
  ];
  const second: Record<string, string> = {
    'a time of 1e20': '[1e20, 1]',
    'a time of -1e15': '[-1e15, 1]',
    'the year 0000': '["0000-01-01T00:00:00Z", 1]',
    'a time a week ahead': `[${t0 + 7 * 86_400_000}, 1]`,
    'a cpu utilisation of 1e300': `[${t0 + 60_000}, 1e300]`,
    'an infinite value': `[${t0 + 60_000}, 1e999]`,
    'a negative value': `[${t0 + 60_000}, -4]`,
    'a value that is a word': `[${t0 + 60_000}, "high"]`,
  };
  for (const [what, first, field, message] of impossible) {
    it(`answers 400 naming the sample and field for ${what}, storing nothing`, async () => {
      const { app, post, stored } = setup();
      // Written by hand: JSON.stringify cannot write 1e999, and writes 1e20 as digits.
      const body = `{"repository":"acme/shop","app":"${app}","service":"web","metric":"cpu","samples":[${JSON.stringify(first)},${second[what]}]}`;
      const res = await post(body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as { error: string; sample: unknown };
      assert.match(json.error, message);
      assert.deepEqual(json.sample, { series: 0, index: 1, field });
      assert.deepEqual(await stored(), []);
    });
  }

  const bad: [string, string, string, string, RegExp][] = [
    ['broken JSON', '{"app":', 'application/json', '', /body is not valid JSON/],
    ['no repository', JSON.stringify({ app: 'shop', service: 'web', metric: 'cpu', samples: [[t0, 1]] }), 'application/json', '', /^repository: .*expected \{ "repository": "owner\/name"/],
    ['a repository that is not owner/name', JSON.stringify({ repository: 'shop', app: 'shop', service: 'web', metric: 'cpu', samples: [[t0, 1]] }), 'application/json', '', /^repository: must be a repository as owner\/name/],
    ['an unknown metric', JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'disk', samples: [[t0, 1]] }), 'application/json', '', /^metric: .*expected/],
    ['a bad service name', JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'Web!', metric: 'cpu', samples: [[t0, 1]] }), 'application/json', '', /^service: must start with a lowercase letter/],
    ['a sample of the wrong shape', JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'cpu', samples: [[t0, 1, 2]] }), 'application/json', '', /web\.cpu samples\[0\]: expected \[timestamp, value\]/],
    ['a bad timestamp', JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'cpu', samples: [['yesterday', 4]] }), 'application/json', '', /samples\[0\] time: "yesterday" is not a timestamp/],
    ['no samples', JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'cpu', samples: [] }), 'application/json', '', /no samples in the request/],
    ['CSV without a query', '1767571200,4\n', 'text/csv', '', /CSV needs \?repository=owner\/name&app=&service=&metric=/],
    ['a CSV row with a word for a value', 'timestamp,value\n1767571200,high\n', 'text/csv', '?repository=acme/shop&app=shop&service=web&metric=cpu', /body:2: "high" is not a number/],
    ['a CSV NaN', '1767571200,NaN\n', 'text/csv', '?repository=acme/shop&app=shop&service=web&metric=cpu', /web\.cpu data row 1 value: NaN must be a finite number/],
    ['an unsupported content type', 'x', 'application/xml', '', /unsupported content-type "application\/xml"/],
  ];
  for (const [what, body, type, query, message] of bad) {
    it(`answers 400 with a clear message for ${what}`, async () => {
      const { post } = setup();
      const res = await post(body, type, query);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, message);
    });
  }

  it('answers 404 for a repository Slipway does not serve', async () => {
    const { post, series } = setup();
    const res = await post(series([[t0, 1]], { repository: 'rival/shop' }));
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /repository rival\/shop is not one Slipway serves/);
  });

  it('refuses more samples than the limit', async () => {
    const { post, series } = setup();
    const res = await post(series(Array.from({ length: 1001 }, (_, i) => [1767571200 + i * 60, 1])));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /1001 samples in one request; at most 1000/);
  });
});

describe('POST /api/v1/metrics when the store fails', () => {
  const body = (app: string) => JSON.stringify({ repository: 'acme/shop', app, service: 'web', metric: 'cpu', samples: [[t0, 1]] });
  const request = (http: ReturnType<typeof createHttpApp>, app: string) =>
    http.request('/api/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body(app) });

  it('answers 503 with Retry-After only when the store is really down, logging no samples', async () => {
    const own = await openTestPglite();
    await upsertInstallation(own.db, { id: 7, accountLogin: 'acme' });
    await upsertRepositories(own.db, 7, [{ id: 700, fullName: 'acme/shop' }]);
    const logs: string[] = [];
    const http = createHttpApp({ db: own.db, webhookSecret: 's', apiToken: token, log: (m) => logs.push(m) });
    assert.equal((await request(http, 'up')).status, 200);
    await own.close();
    const res = await request(http, 'down');
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'));
    assert.ok(logs.every((line) => !line.includes('1767571200') && !line.includes('"samples"')), logs.join('\n'));
  });

  it('answers 500, not 503, when the store answers but the write fails (a client must not retry forever)', async () => {
    const own = await openTestPglite();
    try {
      await upsertInstallation(own.db, { id: 7, accountLogin: 'acme' });
      await upsertRepositories(own.db, 7, [{ id: 700, fullName: 'acme/shop' }]);
      await own.db.execute('drop table metric_chunks');
      const logs: string[] = [];
      const http = createHttpApp({ db: own.db, webhookSecret: 's', apiToken: token, log: (m) => logs.push(m) });
      const res = await request(http, 'broken');
      assert.equal(res.status, 500);
      assert.match(logs.join('\n'), /500 POST \/api\/v1\/metrics: .*metric_chunks.* does not exist/);
      assert.doesNotMatch(logs.join('\n'), /Failed query|params:/);
    } finally {
      await own.close();
    }
  });
});

describe('the metrics intake thread (slipway serve)', () => {
  it('reads and checks a body in its own thread: the same series, and the same refusal naming the sample', async () => {
    const read = readSeriesOffThread({ idleMs: 50 });
    try {
      const body = (samples: unknown) => new TextEncoder().encode(JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'cpu', samples }));
      const request = (samples: unknown) => ({ body: body(samples), type: 'application/json', query: {}, maxSamples: 1000, now: t0 + 86_400_000 });
      const [series] = await read(request([[1767571200, 1], ['2026-01-05T00:00:00Z', 2], [1767571260, 3]]));
      assert.deepEqual([series!.repository, Array.from(series!.times), Array.from(series!.values)], ['acme/shop', [t0, t0 + 60_000], [2, 3]]);
      await assert.rejects(read(request([[t0, 1], [t0, -1]])), (error: unknown) => {
        assert.ok(error instanceof IntakeError);
        assert.deepEqual([error.status, error.sample], [400, { series: 0, index: 1, field: 'value' }]);
        return true;
      });
      // Idle, the thread stops; the next request starts another.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [again] = await read(request([[1767571200, 7]]));
      assert.deepEqual(Array.from(again!.values), [7]);
    } finally {
      await read.close();
    }
  });
});

describe('the metrics intake thread after a large body', () => {
  it('stops as soon as it is idle, and a request sent while it is stopping is answered by the next thread', async () => {
    const read = readSeriesOffThread({ largeBodyBytes: 1 });
    try {
      const request = (value: number) => ({ body: new TextEncoder().encode(JSON.stringify({ repository: 'acme/shop', app: 'shop', service: 'web', metric: 'cpu', samples: [[t0, value]] })), type: 'application/json', query: {}, maxSamples: 10, now: t0 + 86_400_000 });
      for (let round = 0; round < 5; round++) {
        const [series] = await read(request(round));
        assert.deepEqual(Array.from(series!.values), [round]);
        await new Promise((resolve) => setTimeout(resolve, 1)); // the idle thread is being stopped
      }
    } finally {
      await read.close();
    }
  });
});

describe('storing metric samples in the embedded store’s thread (slipway serve on PGlite)', () => {
  it('stores a large series over many days as the service’s thread would, merges a second post into it, and refuses an unknown repository with a 404', async () => {
    const threaded = await openTestPglite({ thread: true });
    try {
      await upsertInstallation(threaded.db, { id: 7, accountLogin: 'acme' });
      await upsertRepositories(threaded.db, 7, [{ id: 700, fullName: 'acme/shop' }]);
      const route = metricsRoute({ storeSeries: storeSeriesInStoreThread(threaded as ThreadStore), storeIsUp: async () => true, maxSamples: 200_000, now: () => t0 + 86_400_000 });
      const post = (body: unknown) => route.request('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      // 60 days of minutely samples: several upsert batches.
      const start = t0 - 60 * 86_400_000;
      const samples = Array.from({ length: 60 * 1440 }, (_, i) => [start + i * 60_000, i % 1000]);
      const first = await post({ repository: 'acme/shop', app: 'big', service: 'web', metric: 'cpu', samples });
      assert.equal(first.status, 200, await first.clone().text());
      assert.deepEqual(await first.json(), { written: 86_400 });
      // Half a minute later, every 7th minute: merged with what each day holds.
      const later = samples.filter((_, i) => i % 7 === 0).map(([t]) => [t! + 30_000, 5000]);
      assert.equal((await post({ repository: 'acme/shop', app: 'big', service: 'web', metric: 'cpu', samples: later })).status, 200);
      const stored = await readMetricSamples(threaded.db, scope, 'big', 'web', 'cpu', new Date(0), new Date('3000-01-01T00:00:00Z'));
      assert.equal(stored.length, 86_400 + later.length);
      assert.deepEqual(stored.slice(0, 3).map((r) => [r.at.getTime() - start, r.value]), [[0, 0], [30_000, 5000], [60_000, 1]]);
      assert.deepEqual([stored.at(-1)!.at.getTime() - start, stored.at(-1)!.value], [(86_400 - 1) * 60_000, (86_400 - 1) % 1000]);
      const unknown = await post({ repository: 'acme/elsewhere', app: 'big', service: 'web', metric: 'cpu', samples: [[t0, 1]] });
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { error: string }).error, /acme\/elsewhere is not one Slipway serves/);
    } finally {
      await threaded.close();
    }
  });
});
