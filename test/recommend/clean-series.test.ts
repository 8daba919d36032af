import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanSeries } from '../../src/recommend/clean-series.ts';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import type { ServiceSpec } from '../../src/recommend/types.ts';
import { day, minute, monday, series } from './synthetic.ts';

const spec: ServiceSpec = { app: 'shop', service: 'web', cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 2 }, region: 'us-east-1' };

describe('cleaning metric series', () => {
  it('sorts unsorted samples and says so', () => {
    const clean = cleanSeries([{ t: 3, v: 3 }, { t: 1, v: 1 }, { t: 2, v: 2 }]);
    assert.deepEqual(clean.samples.map((s) => s.t), [1, 2, 3]);
    assert.match(clean.notes.join(' '), /out of order; sorted/);
  });

  it('keeps the last value given for a duplicate timestamp', () => {
    const clean = cleanSeries([{ t: 1, v: 10 }, { t: 2, v: 20 }, { t: 1, v: 11 }, { t: 2, v: 21 }]);
    assert.deepEqual(clean.samples, [{ t: 1, v: 11 }, { t: 2, v: 21 }]);
    assert.match(clean.notes.join(' '), /2 duplicate timestamp\(s\); kept the last/);
  });

  it('drops NaN, infinite and negative samples with a note for each kind', () => {
    const clean = cleanSeries([{ t: 1, v: 5 }, { t: 2, v: Number.NaN }, { t: 3, v: Infinity }, { t: Number.NaN, v: 1 }, { t: 4, v: -3 }, { t: 5, v: 6 }]);
    assert.deepEqual(clean.samples.map((s) => s.v), [5, 6]);
    assert.match(clean.notes.join(' '), /dropped 3 sample\(s\) with a missing or non-finite/);
    assert.match(clean.notes.join(' '), /dropped 1 sample\(s\) with a negative value/);
  });

  it('finds gaps longer than three steps and reports coverage below 1', () => {
    const samples = series(600, minute, () => 10).filter((s) => s.t < monday + 100 * minute || s.t >= monday + 400 * minute);
    const clean = cleanSeries(samples);
    assert.equal(clean.stepMs, minute);
    assert.deepEqual(clean.gaps, [{ from: monday + 99 * minute, to: monday + 400 * minute }]);
    assert.ok(clean.coverage > 0.49 && clean.coverage < 0.51, `coverage ${clean.coverage}`);
    assert.match(clean.notes.join(' '), /1 gap\(s\)/);
  });

  it('refuses to recommend from a series shorter than a day', () => {
    const rec = recommendService(spec, { cpu: series(12 * 60, minute, () => 5) });
    assert.equal(rec.status, 'not-enough-data');
    assert.match(rec.reason ?? '', /over 12\.0 h; at least 48 samples over 24 h/);
    assert.equal(rec.cpu, undefined);
    assert.equal(rec.monthlySaving, 0);
  });

  it('refuses garbage: a long series that is all NaN or negative is not enough data', () => {
    const rec = recommendService(spec, { cpu: series(3 * 24 * 60, minute, (i) => (i % 2 ? Number.NaN : -1)) });
    assert.equal(rec.status, 'not-enough-data');
    assert.equal(rec.reason, 'no cpu or memory samples');
    assert.ok(rec.notes.some((n) => /negative/.test(n)) && rec.notes.some((n) => /non-finite/.test(n)));
  });

  it('recommends from a messy but sufficient series and carries the cleaning notes', () => {
    const base = series(3 * 24 * 60, minute, () => 20);
    const messy = [...base.slice(0, 2000).reverse(), ...base.slice(2000), { t: base[5].t, v: 20 }, { t: base[9].t, v: Number.NaN }];
    const rec = recommendService(spec, { cpu: messy });
    assert.equal(rec.status, 'ok');
    assert.ok(rec.notes.some((n) => n.startsWith('cpu: samples were out of order')));
    assert.ok(rec.notes.some((n) => n.startsWith('cpu: 1 duplicate')));
    assert.ok(rec.cpu);
    assert.equal(rec.historyDays, Math.round(((3 * day - minute) / day) * 100) / 100);
    assert.equal(rec.confidence, Math.round((((3 * day - minute) / day) / 7) * 100) / 100);
  });
});
