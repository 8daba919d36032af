// The door's one pass over a body against JSON.parse: it accepts exactly the JSON objects nested
// no deeper than the limit, and what it picks is what the parsed value holds at those fields —
// for generated texts (escapes, whitespace, duplicate keys, keys spelled with escapes, numbers of
// every form), for texts that are almost JSON, and for every real payload in @octokit/webhooks-examples.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { jobForDelivery, routingFields } from '../../src/intake/job-for-delivery.ts';
import { nestsDeeperThan } from '../../src/http/json-depth.ts';
import { readWebhookJson, type FieldSpec } from '../../src/http/read-webhook-json.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** What the pass gives for a value it does not ask into: scalars as they are, containers empty of their kind. */
const shape = (v: unknown) => (Array.isArray(v) ? [] : isObject(v) ? {} : v);

/** The fields of `spec`, taken from the parsed value: the reference the pass is held to. */
function pick(value: Record<string, unknown>, spec: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, sub] of Object.entries(spec)) {
    if (!Object.hasOwn(value, name)) continue;
    const v = value[name];
    if (sub === true || !isObject(v)) out[name] = shape(v);
    else out[name] = Object.fromEntries(Object.keys(sub).filter((k) => Object.hasOwn(v, k)).map((k) => [k, shape(v[k])]));
  }
  return out;
}

/** What the pass must answer for `text`: JSON.parse's value, if an object whose text nests no deeper than the limit (json-depth.ts; a text, not the value: a repeated key's first value counts too). */
function expected(text: string, spec: FieldSpec, maxDepth: number): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(value) && !nestsDeeperThan(text, maxDepth) ? pick(value, spec) : undefined;
}

const check = (text: string, spec: FieldSpec = routingFields, maxDepth = 100) => assert.deepEqual(readWebhookJson(text, spec, maxDepth), expected(text, spec, maxDepth), text.slice(0, 300));

// Strings full of what a reader can get wrong: quotes, backslashes, brackets, controls, non-ASCII, surrogates.
const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '/', '[', ']', '{', '}', ',', ':', 'a', 'id', ' ', '\n', '\t', '\u0001', '\u001f', 'é', '\u2028', '😀', '\ud800'), maxLength: 10 });
const names = [...Object.keys(routingFields), 'id', 'default_branch', 'number', 'pull_request', 'body', 'head_sha', '__proto__', 'constructor', 'x'];
const key = fc.oneof(fc.constantFrom(...names), tricky);
const scalar = fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
// Objects are generated as member lists so keys can repeat; written out by hand.
type Node = string | number | boolean | null | Node[] | { members: Array<[string, Node]> };
const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node; object: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('node'), { maxLength: 3 }), tie('object')),
  object: fc.array(fc.tuple(key, tie('node')), { maxLength: 5 }).map((members) => ({ members })),
})).node;
const topObject = fc.array(fc.tuple(key, node), { maxLength: 8 }).map((members): Node => ({ members }));
/** Written out with `space` between tokens; keys spelled with escapes where `escapeKeys`. */
function write(n: Node, space: string, escapeKeys: boolean): string {
  if (n !== null && typeof n === 'object' && !Array.isArray(n)) {
    const keyText = (k: string) => (escapeKeys && k.length > 0 ? `"\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(k).slice(2)}` : JSON.stringify(k));
    return `{${space}${n.members.map(([k, v]) => `${keyText(k)}${space}:${space}${write(v, space, escapeKeys)}`).join(`${space},${space}`)}${space}}`;
  }
  if (Array.isArray(n)) return `[${space}${n.map((e) => write(e, space, escapeKeys)).join(`${space},${space}`)}${space}]`;
  return JSON.stringify(n);
}
const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');

test('a JSON text is accepted exactly when JSON.parse gives an object within the depth, and its fields are what the object holds', () => {
  fc.assert(
    fc.property(fc.oneof(topObject, node), space, fc.boolean(), fc.integer({ min: 1, max: 6 }), (n, sp, escapeKeys, maxDepth) => {
      check(write(n, sp, escapeKeys), routingFields, maxDepth);
    }),
    { numRuns: 3_000, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
  );
});

test('a text that is almost JSON is refused exactly when JSON.parse refuses it', () => {
  const damage = fc.tuple(fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', ':', '0', '-', '.', 'e', '+', 't', 'nul', '\u0000', '\n', '{', '[', ' ', '\ufeff'), fc.nat({ max: 2 }));
  fc.assert(
    fc.property(topObject, space, damage, (n, sp, [at, insert, remove]) => {
      const text = write(n, sp, false);
      const i = at % (text.length + 1);
      check(text.slice(0, i) + insert + text.slice(i + remove));
    }),
    { numRuns: 5_000, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
  );
});

test('numbers, literals and escapes: each form JSON allows is read as JSON.parse reads it, each it does not is refused', () => {
  for (const literal of ['0', '-0', '1', '-12', '1.5', '0.25', '1e5', '1E+2', '2e-3', '-0.0e0', '123456789012345678901234567890', '1.7976931348623157e309', 'true', 'false', 'null', '"a\\"b"', '"\\u00e9\\/\\b\\f\\n\\r\\t"', '"\\ud83d\\ude00"', '"\\uDFFF"']) {
    check(`{"number":${literal}}`);
    check(`{"repository":{"id":${literal}},"x":[${literal}]}`);
  }
  for (const bad of ['01', '+1', '1.', '.5', '1e', '1e+', '-', '--1', 'tru', 'nulll', 'True', 'NaN', 'Infinity', "'a'", '"\\x"', '"\\u12"', '"\\u12g4"', '"a\tb"', '"\u0000"', '"unterminated', '{', '[1,]', '{"a":1,}', '{"a"}', '{"a" 1}', '{1:2}']) {
    check(`{"number":${bad}}`);
    check(`{"x":[${bad}]}`);
  }
  for (const text of ['', ' ', '{}', ' {} ', '{} {}', '{}x', '[]', '"s"', '1', 'null', '\ufeff{}', '{"a":1}\u0000', '{"action":"a","action":"b"}', '{"repository":{"id":1},"repository":"gone"}', '{"repository":"gone","repository":{"default_branch":"x"}}', '{"\\u0061ction":"escaped key"}', '{"__proto__":{"id":1},"installation":{"__proto__":1,"id":2}}', '{"issue":{"pull_request":{}}}', '{"issue":{"pull_request":[]}}', '{"issue":{"pull_request":null}}', '{"ref":{"a":[1,{"id":2}]},"installation":{"id":[3]}}']) {
    check(text);
  }
});

test('depth: refused past the limit, at once, however deep the text goes', () => {
  check(`{"x":${'['.repeat(99)}${']'.repeat(99)}}`);
  check(`{"x":${'['.repeat(100)}${']'.repeat(100)}}`);
  assert.equal(readWebhookJson(`{"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, routingFields, 100), undefined);
  assert.equal(readWebhookJson(`{"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, routingFields, 100), undefined);
});

test('every real payload reads as JSON.parse reads it, and routes to the same job', () => {
  type Definition = { name: string; examples: unknown[] };
  const examples = (createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[]).flatMap((d) => d.examples.map((payload) => ({ event: d.name, payload })));
  const fixtureDir = new URL('../harness/webhook-fixtures/', import.meta.url);
  const fixtures = readdirSync(fixtureDir).map((file) => ({ event: file.split('.')[0]!, payload: JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')) as unknown }));
  assert.ok(examples.length + fixtures.length > 300);
  for (const { event, payload } of [...examples, ...fixtures]) {
    for (const text of [JSON.stringify(payload), JSON.stringify(payload, null, 2)]) {
      check(text);
      assert.deepEqual(jobForDelivery('d', event, readWebhookJson(text, routingFields, 100)), jobForDelivery('d', event, JSON.parse(text)), `${event}: ${text.slice(0, 120)}`);
    }
  }
});
