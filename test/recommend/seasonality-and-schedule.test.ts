import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateForecast, mape, smape } from '../../src/recommend/forecast.ts';
import { hourMs, toGrid } from '../../src/recommend/grid.ts';
import { recommendService } from '../../src/recommend/recommend-service.ts';
import { detectSeasonality } from '../../src/recommend/seasonality.ts';
import type { ServiceSpec } from '../../src/recommend/types.ts';
import { hour, isBusinessHour, minute, noise, series } from './synthetic.ts';

const spec: ServiceSpec = { app: 'shop', service: 'web', cpu: 1, memoryMiB: 2048, instances: { min: 2, max: 10 }, region: 'us-east-1' };
const fiveMin = 5 * minute;
const twoWeeks = (14 * 24 * 60) / 5;

describe('seasonality', () => {
  it('finds a daily cycle and no weekly one where weekends look like weekdays', () => {
    const s = detectSeasonality(series(twoWeeks, fiveMin, (_i, t) => 50 + 40 * Math.sin((2 * Math.PI * t) / (24 * hour))));
    assert.ok(s.daily! > 0.9, `daily ${s.daily}`);
    assert.equal(s.period, 24);
  });

  it('prefers the weekly period when weekends differ', () => {
    const s = detectSeasonality(series(twoWeeks, fiveMin, (_i, t) => (isBusinessHour(t) ? 60 : 10)));
    assert.ok(s.weekly! > s.daily!, `weekly ${s.weekly} vs daily ${s.daily}`);
    assert.equal(s.period, 168);
  });

  it('finds nothing in noise', () => {
    const rand = noise(7);
    const s = detectSeasonality(series(twoWeeks, fiveMin, () => 50 + 20 * rand()));
    assert.equal(s.period, null);
    assert.ok(Math.abs(s.daily!) < 0.2 && Math.abs(s.weekly!) < 0.2);
  });

  it('measures no weekly lag with less than a week and a half of history', () => {
    const s = detectSeasonality(series((5 * 24 * 60) / 5, fiveMin, (i) => i % 288));
    assert.equal(s.weekly, null);
  });
});

describe('schedule floors', () => {
  it('proposes weekday business-hour floors when the seasonal model beats seasonal-naive', () => {
    // 6 tasks of 1 vCPU: 60 % on weekdays 08-20 UTC, 10 % otherwise, with noise. Busy load is 3.6
    // vCPU; at the recommended target that is several tasks, well above the quiet-hours min.
    const rand = noise(3);
    const cpu = series(twoWeeks, fiveMin, (_i, t) => (isBusinessHour(t) ? 60 : 10) + 4 * rand());
    const rec = recommendService({ ...spec, instances: { min: 6, max: 6 } }, { cpu });
    assert.ok(rec.forecast?.beatsNaive, JSON.stringify(rec.forecast));
    assert.ok(rec.schedule, rec.scheduleReason);
    const crons = rec.schedule.floors.map((f) => f.cron);
    assert.deepEqual(crons, ['0 8 * * 1-5', '0 20 * * 1-5']);
    assert.ok(rec.schedule.floors[0].min! > rec.schedule.floors[1].min!);
    assert.equal(rec.schedule.floors[1].min, rec.instances!.recommended.min);
  });

  it('proposes nothing when there is no pattern', () => {
    const rand = noise(11);
    const rec = recommendService(spec, { cpu: series(twoWeeks, fiveMin, () => 50 + 20 * rand()) });
    assert.equal(rec.schedule, undefined);
    assert.match(rec.scheduleReason ?? '', /no daily or weekly pattern/);
  });

  it('proposes nothing when the model does not beat seasonal-naive on the held-back week', () => {
    // Every weekday has its own level (Mon 10 %, Tue 70 %, Wed 20 %, …), repeated exactly each week:
    // seasonal-naive (last week) is perfect, while a weekday/weekend profile blurs the days.
    const levels = [15, 10, 70, 20, 60, 30, 15];
    const cpu = series(twoWeeks, fiveMin, (_i, t) => levels[new Date(t).getUTCDay()] + (new Date(t).getUTCHours() >= 12 ? 5 : 0));
    const rec = recommendService(spec, { cpu });
    assert.equal(rec.seasonality?.period, 168);
    assert.ok(rec.forecast && !rec.forecast.beatsNaive, JSON.stringify(rec.forecast));
    assert.equal(rec.schedule, undefined);
    assert.match(rec.scheduleReason ?? '', /does not beat seasonal-naive/);
  });

  it('scores forecasts by MAPE against the same held-back points', () => {
    // Three weeks of an hourly daily ramp; the held-back week repeats it, so both models are exact.
    const grid = toGrid(series(21 * 24, hourMs, (i) => 10 + (i % 24)), hourMs);
    const evaluation = evaluateForecast(grid, 24, 168)!;
    assert.equal(evaluation.points, 168);
    assert.equal(evaluation.modelMape, 0);
    assert.equal(evaluation.naiveMape, 0);
    assert.equal(evaluation.beatsNaive, false, 'a tie is not a win');
  });

  it('sMAPE stays bounded where MAPE explodes on near-zero actuals', () => {
    const actual = [100, 100, 1];
    const forecast = [110, 90, 100];
    assert.ok(Math.abs(mape(actual, forecast).value - (10 + 10 + 9900) / 3) < 1e-9);
    const expected = (100 * (20 / 210 + 20 / 190 + 198 / 101)) / 3;
    assert.ok(Math.abs(smape(actual, forecast).value - expected) < 1e-9);
    assert.ok(smape(actual, forecast).value <= 200);
    assert.deepEqual(smape([0, 5], [0, 5]), { value: 0, points: 1 }, 'both zero is left out');
    assert.equal(smape([1, 2], [2, 4], (i) => i === 0).points, 1);
  });
});
