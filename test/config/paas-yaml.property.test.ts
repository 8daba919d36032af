/**
 * Property-based tests of the paas.yaml loader (fast-check), bounded by a run count and a time
 * budget so that they belong in the normal suite: whatever the text, the loader answers with a
 * config or located errors and never throws; and a config it accepts synthesizes.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfigText, resolveEnvironment } from '../../src/config/load.ts';
import { synthesize } from '../../src/synth/synthesize.ts';

const budget = (ms: number, numRuns: number) => ({ numRuns, interruptAfterTimeLimit: ms, markInterruptAsFailure: false });

function assertLocated(text: string): void {
  const result = parseConfigText(text, 'paas.yaml');
  if (result.ok) return;
  const lines = text.split('\n').length;
  assert.ok(result.errors.length > 0);
  for (const error of result.errors) {
    assert.equal(error.file, 'paas.yaml');
    assert.ok(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines + 1, `line ${error.line} of ${lines}`);
    assert.ok(Number.isInteger(error.column) && error.column >= 1, `column ${error.column}`);
    assert.ok(typeof error.message === 'string' && error.message.length > 0);
  }
}

const head = 'version: 1\nname: shop\nregion: us-east-1\n';
/** Names a hostile file might use: valid ones, reserved ones, prototype keys, and random text. */
const name = fc.oneof(
  fc.constantFrom('web', 'api', 'db', 'constructor', '__proto__', 'toString', 'prototype', 'hasOwnProperty', 'valueOf', 'aws', 'backend', '_platform', 'a', 'a-b'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
  fc.string({ maxLength: 12 }),
);

test('any text, YAML or not, gives a config or located errors, never an exception', () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => assertLocated(text)), budget(5_000, 300));
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (tail) => assertLocated(`${head}${tail}`)), budget(5_000, 300));
});

test('any YAML document built from arbitrary values under the known keys gives a config or located errors', () => {
  const value = fc.jsonValue({ maxDepth: 4 });
  const document = fc.record(
    {
      version: fc.oneof(fc.constant(1), value),
      name: fc.oneof(name, value),
      region: fc.oneof(fc.constant('us-east-1'), value),
      services: fc.oneof(fc.dictionary(name, fc.oneof(value, fc.record({ type: fc.constantFrom('web', 'worker', 'cron', 'function', 'static'), image: fc.constant('nginx') }))), value),
      resources: fc.oneof(fc.dictionary(name, fc.record({ type: fc.constantFrom('postgres', 'redis', 'queue', 'bucket', 'other') })), value),
      tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })), value),
      environments: fc.oneof(fc.dictionary(name, fc.oneof(value, fc.record({ region: fc.constant('eu-west-1') }))), value),
    },
    { requiredKeys: [] },
  );
  fc.assert(fc.property(document, (doc) => assertLocated(stringify(doc))), budget(10_000, 300));
});

test('every config the loader accepts synthesizes: names, tags and env keys included', () => {
  // Mostly names the loader accepts, so that most runs reach synthesis; some it must refuse.
  const plausible = fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/) }, { weight: 1, arbitrary: fc.constantFrom('constructor', 'aws', 'backend', 'prototype', 'a') });
  const service = fc.record({
    type: fc.constantFrom('web', 'worker'),
    image: fc.constant('nginx'),
    env: fc.dictionary(fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'PORT', 'A_B', '__defineGetter__'), fc.string({ maxLength: 30 })),
  });
  const config = fc.record({
    version: fc.constant(1),
    name: plausible,
    region: fc.constant('us-east-1'),
    tags: fc.dictionary(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('${file("/etc/passwd")}', '%{x}', 'constructor')), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
    services: fc.dictionary(plausible, service, { minKeys: 1, maxKeys: 4 }),
    resources: fc.dictionary(plausible, fc.record({ type: fc.constantFrom('queue', 'bucket') }), { maxKeys: 2 }),
  });
  let synthesized = 0;
  fc.assert(
    fc.property(config, (doc) => {
      const result = parseConfigText(stringify(doc), 'paas.yaml');
      if (!result.ok) return;
      synthesized++;
      const terraform = synthesize(resolveEnvironment(result.config, 'production'));
      assert.ok(terraform.resource && Object.keys(terraform.resource).length > 0);
      assert.doesNotMatch(JSON.stringify(terraform), /[\uE000\uE001]/, 'no escape placeholder left');
    }),
    budget(20_000, 60),
  );
  assert.ok(synthesized >= 5, `only ${synthesized} generated configs were accepted: the property tested too little`);
});
