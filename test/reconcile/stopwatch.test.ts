import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopwatch } from '../../src/reconcile/stopwatch.ts';

test('laps add up per name and are listed in first-seen order', () => {
  let t = 100;
  const took = stopwatch(() => t);
  t += 12.4;
  took.lap('fetch');
  t += 3;
  took.lap('read');
  t += 5.2;
  took.lap('plan');
  t += 1.1;
  took.lap('read');
  assert.equal(String(took), 'fetch 12 ms, read 4 ms, plan 5 ms');
});
