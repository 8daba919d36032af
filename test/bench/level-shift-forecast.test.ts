import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshed } from '../../bench/eval/forecast.ts';
import { chosenLevelForecast, levelForecast } from '../../bench/eval/level-shift-forecast.ts';

const period = 24;

/** Six "weeks" of a 24-step season (10 by day, 2 by night); from `dropAt` on, a tenth of that. */
function series(dropAt = Number.POSITIVE_INFINITY): Float64Array {
  const values = new Float64Array(6 * period);
  for (let i = 0; i < values.length; i++) values[i] = (i % period >= 8 && i % period < 20 ? 10 : 2) * (i >= dropAt ? 0.1 : 1);
  return values;
}

describe('forecast evaluation: level shifts within the week', () => {
  it('re-forecasting reads only what was observed before each chunk', () => {
    const values = series();
    const seen: number[] = [];
    const origin = 5 * period;
    const out = refreshed(values, origin, period, 6, (train, horizon) => {
      seen.push(train.length);
      return { forecast: new Float64Array(horizon).fill(train.length), model: 'x' };
    });
    assert.deepEqual(seen, [origin, origin + 6, origin + 12, origin + 18]);
    // Each step carries the length of the data its chunk was forecast from: always before that step.
    out.forecast.forEach((f, h) => assert.ok(f <= origin + h, `step ${h} forecast from ${f} values`));
  });

  it('a full level factor follows a drop after one refresh; without a level the profile does not', () => {
    const origin = 5 * period;
    const values = series(origin + 4); // the drop comes four steps into the scored week
    const follow = refreshed(values, origin, period, 1, (t, h) => ({ forecast: levelForecast(t, period, h, { weeks: 3, power: 1, window: 1, naive: false }), model: '' })).forecast;
    const flat = refreshed(values, origin, period, 1, (t, h) => ({ forecast: levelForecast(t, period, h, { weeks: 3, power: 0, window: 1, naive: false }), model: '' })).forecast;
    for (let h = 5; h < period; h++) {
      assert.ok(Math.abs(follow[h] - values[origin + h]) < 1e-9, `step ${h}: ${follow[h]} vs ${values[origin + h]}`);
      assert.equal(flat[h], values[origin + h] * 10);
    }
    // Step 4, the first after the drop, cannot know it yet.
    assert.equal(follow[4], values[origin + 4] * 10);
  });

  it('the backtest choice is made on the weeks before the origin, the same for every chunk of the week', () => {
    const origin = 5 * period;
    const chosen = (values: Float64Array) => {
      const fn = chosenLevelForecast(1);
      const models = new Set<string>();
      refreshed(values, origin, period, 1, (t, h) => {
        const r = fn(t, 0, 1, period, h, origin);
        models.add(r.model);
        return r;
      });
      return [...models];
    };
    const calm = chosen(series());
    assert.equal(calm.length, 1);
    // A drop inside the scored week changes nothing in the choice.
    assert.deepEqual(chosen(series(origin + 4)), calm);
    // A drop in the weeks before the origin does: the backtests see it.
    assert.notDeepEqual(chosen(series(origin - 2 * period + 4)), calm);
  });
});
