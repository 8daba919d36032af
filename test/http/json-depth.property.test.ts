// The nesting scan against the parsed value's own depth: for any JSON text (strings full of quotes,
// backslashes and brackets included), it says "deeper than d" exactly when the value is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nestsDeeperThan } from '../../src/http/json-depth.ts';

const depthOf = (v: unknown): number =>
  v !== null && typeof v === 'object' ? 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf)) : 0;
const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', ' ', '\n'), maxLength: 12 });
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(tricky, tie('node'), { maxKeys: 3 })),
})).node;

test('nestsDeeperThan(JSON.stringify(v), d) is true exactly when v nests deeper than d', () => {
  fc.assert(
    fc.property(value, fc.integer({ min: 0, max: 5 }), (v, d) => {
      const text = JSON.stringify(v);
      assert.equal(nestsDeeperThan(text, d), depthOf(v) > d, text);
    }),
    { numRuns: 2_000, interruptAfterTimeLimit: 5_000, markInterruptAsFailure: false },
  );
});

test('a string ending in an escaped backslash closes where JSON says it does', () => {
  assert.equal(nestsDeeperThan('["a\\\\", [[1]]]', 2), true);
  assert.equal(nestsDeeperThan('["a\\"[[[[", 1]', 1), false);
  assert.equal(nestsDeeperThan('"unterminated [[[[', 1), false);
});
