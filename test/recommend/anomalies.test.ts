import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectAnomalies } from '../../src/recommend/anomalies.ts';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import type { ServiceSpec } from '../../src/recommend/types.ts';
import { day, hour, minute, monday, noise, series } from './synthetic.ts';

const spec: ServiceSpec = { app: 'shop', service: 'web', cpu: 1, memoryMiB: 4096, instances: { min: 3, max: 3 }, region: 'us-east-1' };
const daily = (t: number) => 40 + 25 * Math.sin((2 * Math.PI * t) / day);

describe('anomaly detection', () => {
  const incidentFrom = monday + 9 * day + 3 * hour;
  const incidentTo = incidentFrom + 2 * hour;
  const rand = noise(5);
  const cpu = series((14 * 24 * 60) / 5, 5 * minute, (_i, t) => daily(t) + 3 * rand() + (t >= incidentFrom && t < incidentTo ? 35 : 0));

  it('finds an injected two-hour incident on a daily cycle, and nothing else', () => {
    const windows = detectAnomalies(cpu, { season: 'day' });
    assert.equal(windows.length, 1, JSON.stringify(windows));
    const [w] = windows;
    assert.ok(w.from >= incidentFrom - 10 * minute && w.from <= incidentFrom + 10 * minute, `from ${new Date(w.from).toISOString()}`);
    assert.ok(w.to >= incidentTo - 10 * minute && w.to <= incidentTo + 10 * minute, `to ${new Date(w.to).toISOString()}`);
    assert.equal(w.direction, 'high');
  });

  it('raises no alarm on a clean daily cycle, however small its residuals', () => {
    assert.deepEqual(detectAnomalies(series((14 * 24 * 60) / 5, 5 * minute, (_i, t) => daily(t)), { season: 'day' }), []);
    assert.deepEqual(detectAnomalies(series((14 * 24 * 60) / 5, 5 * minute, () => 42), { season: 'none' }), []);
  });

  it('leaves an incident out of sizing and lists it', () => {
    // Memory at 30 % of 4 GiB with a one-hour leak to 90 %: sized on the normal peak (about 1229
    // MiB + 15 % → 2 GiB at 1 vCPU), not on the leak (3686 MiB would need 5 GiB).
    const leakFrom = monday + 10 * day;
    const memory = series(14 * 24 * 60, minute, (i, t) => 30 + (i % 7) * 0.1 + (t >= leakFrom && t < leakFrom + hour ? 60 : 0));
    const rec = recommendService(spec, { cpu: series(14 * 24 * 60, minute, () => 30), memory });
    const leak = rec.anomalies.find((a) => a.metric === 'memory');
    assert.ok(leak, JSON.stringify(rec.anomalies));
    assert.ok(leak.from <= leakFrom + 5 * minute && leak.to >= leakFrom + hour - 5 * minute);
    assert.ok(rec.memory!.basisValue < 0.32 * 4096, `peak ${rec.memory!.basisValue}`);
    assert.equal(rec.memory!.recommended, 2048);
    assert.ok(rec.notes.some((n) => /anomalous window\(s\) left out of sizing/.test(n)));
  });
});

describe('recommended max and incidents', () => {
  it('leaves an incident out of min and target but sizes the max ceiling on it too', () => {
    // The daily cycle 40 ± 25 % (no noise) with a two-hour +35 % incident from 03:00 to 05:00, on
    // 1..3 tasks of 1 vCPU. Worked out by hand:
    // - no running-task series, so load = utilisation × 3 vCPU (the configured max);
    // - max is the safety ceiling: 3 × the tasks that hold the peak load under 80 %, rounded up,
    //   with the incident's peak included (its load was real);
    // - the normal peak is 65 % (06:00): 1.95 vCPU, 2.4375 tasks at 80 %: ceil(7.31) = 8;
    // - the incident's peak is its last sample, 04:55: 40 + 25 sin(2π × 295/1440) + 35 = 99.007 %:
    //   2.970 vCPU, 3.713 tasks at 80 %: ceil(11.14) = 12.
    const from = monday + 9 * day + 3 * hour;
    const cpu = series((14 * 24 * 60) / 5, 5 * minute, (_i, t) => daily(t) + (t >= from && t < from + 2 * hour ? 35 : 0));
    const rec = recommendService({ ...spec, instances: { min: 1, max: 3 } }, { cpu });
    const incident = rec.anomalies.filter((a) => a.metric === 'cpu');
    assert.deepEqual(incident.map((a) => [a.from, a.to, a.direction]), [[from, from + 2 * hour, 'high']]);
    assert.equal(rec.instances!.recommended.max, 12, 'the incident peak sizes the ceiling (8 without it)');
    assert.equal(rec.instances!.recommended.min, 1);
  });
});

describe('median of a grid with gaps', () => {
  it('skips the NaN that mark gaps, for odd and even counts', async () => {
    const { median } = await import('../../src/recommend/grid.ts');
    assert.equal(median([3, Number.NaN, 1, 2]), 2);
    assert.equal(median(Float64Array.from([4, 1, Number.NaN, 3, 2])), 2.5);
    assert.ok(Number.isNaN(median([Number.NaN])));
    assert.ok(Number.isNaN(median([])));
  });
});
