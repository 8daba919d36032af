import assert from 'node:assert/strict';
import test from 'node:test';
import { listenerPriorities } from '../../stacks/web-hosts.ts';
import { synthesize } from '../../src/synth/synthesize.ts';
import { resolved } from './example-configs.ts';
import { blocks } from './helpers.ts';

const ctx = { app: 'shop', environment: 'production' };
const services = (count: number, prefix = 's') => Array.from({ length: count }, (_, i) => ({ component: `${prefix}${i}`, count: 1 }));

test('40 web services named s0…s39 synthesize with 40 distinct listener rule priorities', () => {
  const config = resolved({
    version: 1,
    name: 'shop',
    services: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, { type: 'web', image: 'nginx' }])),
  });
  const priorities = blocks(synthesize(config), 'aws_lb_listener_rule').map((rule) => Number(rule.priority));
  assert.equal(priorities.length, 40);
  assert.equal(new Set(priorities).size, 40, `duplicates: ${priorities.filter((p, i) => priorities.indexOf(p) !== i).join(', ')}`);
  for (const p of priorities) assert.ok(Number.isInteger(p) && p >= 1 && p <= 50_000);
});

test('1,000 services, several with many domains, get unique priorities within the listener range', () => {
  const rules = services(1000).map((rule, i) => ({ ...rule, count: i % 100 === 0 ? 3 : 1 }));
  const priorities = listenerPriorities(ctx, rules);
  assert.equal(priorities.size, 1020);
  const values = [...priorities.values()];
  assert.equal(new Set(values).size, values.length);
  for (const p of values) assert.ok(Number.isInteger(p) && p >= 1 && p <= 50_000);
});

test('the same services give the same priorities whatever order they are listed in', () => {
  const rules = services(1000);
  assert.deepEqual([...listenerPriorities(ctx, [...rules].reverse())].sort(), [...listenerPriorities(ctx, rules)].sort());
});

test('adding a service moves no rule that held its own home slot, except one the newcomer outranks there', () => {
  const before = listenerPriorities(ctx, services(1000));
  for (const added of ['t0', 'a-new', 'zz']) {
    const after = listenerPriorities(ctx, [...services(1000), { component: added, count: 1 }]);
    const moved = [...before].filter(([key, priority]) => after.get(key) !== priority).map(([key]) => key);
    // Only a rule displaced before (not at its home) or the one whose home the newcomer won can move.
    const alone = listenerPriorities(ctx, [{ component: added, count: 1 }]).get(`${added}#0`)!;
    for (const key of moved) {
      const home = listenerPriorities(ctx, [{ component: key.split('#')[0]!, count: 1 }]).get(key)!;
      assert.ok(before.get(key) !== home || home === alone, `${key} moved from its home ${home} when ${added} was added`);
    }
    assert.ok(moved.length <= 3, `${moved.length} rules moved when ${added} was added`);
  }
});

test('colliding homes are resolved deterministically: the smaller name keeps the slot, the other takes the next free one', () => {
  // Find two services of this app whose homes collide.
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const name = `svc${i}`;
    const home = listenerPriorities(ctx, [{ component: name, count: 1 }]).get(`${name}#0`)!;
    const other = seen.get(home);
    if (other) pair = [other, name];
    seen.set(home, name);
  }
  const [first, second] = pair.sort();
  const home = listenerPriorities(ctx, [{ component: first, count: 1 }]).get(`${first}#0`)!;
  const both = listenerPriorities(ctx, [{ component: second, count: 1 }, { component: first, count: 1 }]);
  assert.equal(both.get(`${first}#0`), home);
  assert.equal(both.get(`${second}#0`), (home % 49_000) + 1);
});
