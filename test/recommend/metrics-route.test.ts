import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsRoute, type MetricSampleRow } from '../../src/http/routes/metrics.ts';

function setup() {
  const stored: MetricSampleRow[] = [];
  const app = metricsRoute({ insertSamples: async (rows) => (stored.push(...rows), rows.length), maxSamples: 1000 });
  const post = (body: string, type: string, query = '') => app.request(`/${query}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { stored, post };
}

describe('POST /api/v1/metrics', () => {
  it('stores JSON samples with epoch-second, epoch-ms and ISO timestamps', async () => {
    const { stored, post } = setup();
    const body = { app: 'shop', service: 'web', metric: 'cpu', samples: [[1767571200, 12.5], [1767571260000, 13], { t: '2026-01-05T00:02:00Z', v: 14 }] };
    const res = await post(JSON.stringify(body), 'application/json');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { written: 3 });
    assert.deepEqual(stored.map((r) => [r.at.toISOString(), r.value]), [
      ['2026-01-05T00:00:00.000Z', 12.5],
      ['2026-01-05T00:01:00.000Z', 13],
      ['2026-01-05T00:02:00.000Z', 14],
    ]);
    assert.deepEqual({ ...stored[0], at: undefined }, { app: 'shop', service: 'web', metric: 'cpu', at: undefined, value: 12.5 });
  });

  it('accepts an array of series in one request', async () => {
    const { stored, post } = setup();
    const body = [
      { app: 'shop', service: 'web', metric: 'cpu', samples: [[1767571200, 1]] },
      { app: 'shop', service: 'web', metric: 'memory', samples: [[1767571200, 2]] },
    ];
    assert.equal((await post(JSON.stringify(body), 'application/json; charset=utf-8')).status, 200);
    assert.deepEqual(stored.map((r) => r.metric), ['cpu', 'memory']);
  });

  it('stores CSV with app, service and metric in the query string', async () => {
    const { stored, post } = setup();
    const res = await post('timestamp,value\n2014-02-14 14:30:00,0.132\n2014-02-14 14:35:00,0.134\n', 'text/csv', '?app=shop&service=web&metric=cpu');
    assert.equal(res.status, 200);
    assert.deepEqual(stored.map((r) => [r.at.toISOString(), r.value]), [
      ['2014-02-14T14:30:00.000Z', 0.132],
      ['2014-02-14T14:35:00.000Z', 0.134],
    ]);
  });

  const bad: [string, string, string, string, RegExp][] = [
    ['broken JSON', '{"app":', 'application/json', '', /body is not valid JSON/],
    ['an unknown metric', JSON.stringify({ app: 'shop', service: 'web', metric: 'disk', samples: [[1, 1]] }), 'application/json', '', /^metric: .*expected/],
    ['a bad service name', JSON.stringify({ app: 'shop', service: 'Web!', metric: 'cpu', samples: [[1, 1]] }), 'application/json', '', /^service: must start with a lowercase letter/],
    ['a negative value', JSON.stringify({ app: 'shop', service: 'web', metric: 'cpu', samples: [[1767571200, -4]] }), 'application/json', '', /web\.cpu sample 0: value -4 is negative/],
    ['a bad timestamp', JSON.stringify({ app: 'shop', service: 'web', metric: 'cpu', samples: [['yesterday', 4]] }), 'application/json', '', /"yesterday" is not a timestamp/],
    ['no samples', JSON.stringify({ app: 'shop', service: 'web', metric: 'cpu', samples: [] }), 'application/json', '', /no samples in the request/],
    ['CSV without a query', '1767571200,4\n', 'text/csv', '', /CSV needs \?app=&service=&metric=/],
    ['a CSV row with a word for a value', 'timestamp,value\n1767571200,high\n', 'text/csv', '?app=shop&service=web&metric=cpu', /body:2: "high" is not a number/],
    ['a CSV NaN', '1767571200,NaN\n', 'text/csv', '?app=shop&service=web&metric=cpu', /value must be a finite number/],
    ['an unsupported content type', 'x', 'application/xml', '', /unsupported content-type "application\/xml"/],
  ];
  for (const [what, body, type, query, message] of bad) {
    it(`answers 400 with a clear message for ${what}, storing nothing`, async () => {
      const { stored, post } = setup();
      const res = await post(body, type, query);
      assert.equal(res.status, 400);
      const json = (await res.json()) as { error: string };
      assert.match(json.error, message);
      assert.equal(stored.length, 0);
    });
  }

  it('refuses more samples than the limit', async () => {
    const { post } = setup();
    const samples = Array.from({ length: 1001 }, (_, i) => [1767571200 + i * 60, 1]);
    const res = await post(JSON.stringify({ app: 'shop', service: 'web', metric: 'cpu', samples }), 'application/json');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /1001 samples in one request; at most 1000/);
  });
});
