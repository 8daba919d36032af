import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseSeasonalModel } from '../../src/recommend/choose-seasonal-model.ts';
import { forecastWith, mape, seasonalNaive } from '../../src/recommend/forecast.ts';
import { hourMs, type Grid } from '../../src/recommend/grid.ts';
import { proposeSchedule } from '../../src/recommend/schedule.ts';
import { isBusinessHour, monday, noise } from './synthetic.ts';

const week = 168;
const weekly = { daily: 0.5, weekly: 0.9, period: 168 as const };

/** Hourly vCPU from Monday: 3 on weekday business hours, 0.5 otherwise, ±10 % noise; `shape(w, t)` may change week w. */
function hourly(weeks: number, seed: number, shape: (w: number, t: number, normal: number) => number = (_w, _t, v) => v): Grid {
  const rand = noise(seed);
  const values = new Float64Array(weeks * week);
  for (let i = 0; i < values.length; i++) {
    const t = monday + i * hourMs;
    const normal = (isBusinessHour(t) ? 3 : 0.5) * (1 + 0.1 * rand());
    values[i] = shape(Math.floor(i / week), t, normal);
  }
  return { start: monday, stepMs: hourMs, values };
}

describe('choosing the seasonal model by backtests', () => {
  it('after a holiday week, the chosen model beats seasonal-naive, which copies the holiday', () => {
    // Eight weeks; the seventh is a holiday week (weekdays as quiet as weekends); the eighth, normal, is held back.
    const grid = hourly(8, 5, (w, _t, v) => (w === 6 ? Math.min(v, 0.55) : v));
    const trainLength = 7 * week;
    const train = grid.values.subarray(0, trainLength);
    const choice = chooseSeasonalModel(train, week);
    assert.equal(choice.backtests, 4);
    assert.notEqual(choice.model, 'naive', JSON.stringify(choice));
    const actual = grid.values.subarray(trainLength);
    const model = mape(actual, forecastWith(choice.model, grid, trainLength, week, week)).value;
    const naive = mape(actual, seasonalNaive(train, week, week)).value;
    // Naive forecasts 0.55 where 3 comes: over 80 % off on every business hour.
    assert.ok(naive > 25, `naive ${naive}`);
    assert.ok(model < naive / 2, `model ${model} vs naive ${naive}`);
  });

  it('picks seasonal-naive when it is strictly best: load grows 25 % a week, so the last week is the closest', () => {
    const grid = hourly(6, 9, (w, _t, v) => v * 1.25 ** w);
    const choice = chooseSeasonalModel(grid.values, week);
    assert.equal(choice.model, 'naive', JSON.stringify(choice));
    assert.ok(choice.mape.naive < choice.mape.blend && choice.mape.blend < choice.mape.profile, JSON.stringify(choice.mape));
    const outcome = proposeSchedule({ hourly: grid, seasonality: weekly, taskCpu: 1, target: 50, min: 1, max: 20 });
    assert.equal(outcome.schedule, undefined);
    assert.equal(outcome.evaluation?.model, 'naive');
    assert.match(outcome.reason ?? '', /chose seasonal-naive itself/);
  });

  it('with history too short for a backtest, takes the blend and says no backtest ran', () => {
    const choice = chooseSeasonalModel(hourly(2, 3).values, week);
    assert.equal(choice.backtests, 0);
    assert.equal(choice.model, 'blend');
    assert.ok(Number.isNaN(choice.mape.profile));
  });

  it('never reads the held-back week: the schedule evaluation chooses from the weeks before it only', () => {
    // Same five weeks; the held-back sixth week is a copy of the fifth in one grid (seasonal-naive
    // exact) and a holiday in the other. Reading it would change the choice or the backtest count.
    const copy = hourly(6, 21);
    copy.values.copyWithin(5 * week, 4 * week, 5 * week);
    const holiday = { ...copy, values: Float64Array.from(copy.values) };
    for (let i = 5 * week; i < 6 * week; i++) holiday.values[i] = Math.min(holiday.values[i], 0.55);
    const a = proposeSchedule({ hourly: copy, seasonality: weekly, taskCpu: 1, target: 50, min: 1, max: 20 }).evaluation!;
    const b = proposeSchedule({ hourly: holiday, seasonality: weekly, taskCpu: 1, target: 50, min: 1, max: 20 }).evaluation!;
    const expected = chooseSeasonalModel(copy.values.subarray(0, 5 * week), week);
    // Training ends at week 5; origins need two weeks before them: weeks 3, 4 and 5 are backtested.
    assert.equal(a.backtests, 3);
    assert.equal(b.backtests, 3);
    assert.equal(a.model, expected.model);
    assert.equal(b.model, expected.model);
    assert.equal(a.naiveMape, 0, 'the copied week is exactly seasonal-naive');
    assert.ok(b.naiveMape > 25 && a.modelMape !== b.modelMape);
  });
});
