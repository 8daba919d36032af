import assert from 'node:assert/strict';
import test from 'node:test';
import { LruMap } from '../src/lru-map.ts';

test('an LRU map forgets the least recently used entry beyond its size, a read counting as a use', () => {
  const map = new LruMap<string, number>(2);
  map.set('a', 1);
  map.set('b', 2);
  assert.equal(map.get('a'), 1);
  map.set('c', 3);
  assert.deepEqual([map.has('a'), map.has('b'), map.has('c')], [true, false, true]);
  assert.equal(map.size, 2);
});

test('with a weight, it also forgets the oldest entries beyond the total, and never keeps an entry heavier than the total', () => {
  const map = new LruMap<string, string>(100, { weigh: (key) => key.length, maxWeight: 10 });
  map.set('aaaa', 'x');
  map.set('bbbb', 'x');
  map.set('cccc', 'x'); // 12 characters: the oldest goes
  assert.deepEqual([map.has('aaaa'), map.has('bbbb'), map.has('cccc')], [false, true, true]);
  map.set('k'.repeat(11), 'x');
  assert.equal(map.has('k'.repeat(11)), false);
  assert.equal(map.size, 2);
  map.delete('bbbb');
  map.set('dddddd', 'x'); // 4 + 6 = 10: fits
  assert.deepEqual([map.has('cccc'), map.has('dddddd')], [true, true]);
});

test('it keeps undefined values apart from missing keys', () => {
  const map = new LruMap<string, undefined>(2);
  map.set('valid', undefined);
  assert.equal(map.has('valid'), true);
  assert.equal(map.has('other'), false);
});
