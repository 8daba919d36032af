/** The verdict's U is simple-statistics' rank sum less m(m+1)/2, with ties, for any samples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { wilcoxonRankSum } from 'simple-statistics';
import { rankSumU } from '../../src/rollback/rank-sum-u.ts';

test('U equals wilcoxonRankSum(after, before) − m(m+1)/2, ties and all', () => {
  // Small integers make ties common, within and across the samples.
  const sample = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 40 });
  fc.assert(
    fc.property(sample, sample, (after, before) => {
      const expected = wilcoxonRankSum(after, before) - (after.length * (after.length + 1)) / 2;
      assert.equal(rankSumU(after, before), expected);
    }),
    { numRuns: 500 },
  );
});

test('every after value above every before value wins every pair; all equal wins half', () => {
  assert.equal(rankSumU([10, 11, 12], [1, 2, 3, 4]), 12);
  assert.equal(rankSumU([1, 2, 3, 4], [10, 11, 12]), 0);
  assert.equal(rankSumU([5, 5], [5, 5, 5]), 3);
  assert.equal(rankSumU([0], [1, 2]), 0);
});
