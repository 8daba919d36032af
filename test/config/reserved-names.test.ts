import assert from 'node:assert/strict';
import test from 'node:test';
import { formatConfigError, parseConfigText } from '../../src/config/load.ts';
import { checkOutput } from '../../src/reconcile/check-run-output.ts';
import { SynthError } from '../../src/synth/synth-error.ts';
import { synthesize } from '../../src/synth/synthesize.ts';
import { resolved } from '../synth/example-configs.ts';

function errorsOf(text: string): string[] {
  const result = parseConfigText(text, 'paas.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

test('an app, service, resource or environment named constructor is refused at validation, on its line', () => {
  const errors = errorsOf(`version: 1
name: constructor
services:
  constructor: { type: web, image: nginx }
resources:
  constructor: { type: bucket }
environments:
  constructor: { region: eu-west-1 }
`);
  const located = errors.filter((e) => e.includes('reserved name'));
  assert.deepEqual(located.map((e) => e.split(':').slice(0, 2).join(':')), ['paas.yaml:2', 'paas.yaml:4', 'paas.yaml:6', 'paas.yaml:8']);
  assert.match(located[0], /^paas\.yaml:2:7: name: .*reserved name/);
});

test('names of inherited object properties in references are "not a resource", not a crash or an odd message', () => {
  const errors = errorsOf(`version: 1
name: shop
services:
  jobs: { type: worker, image: nginx, queue: constructor }
  web: { type: web, image: nginx, env: { A: { from: constructor.url } } }
`);
  assert.ok(errors.some((e) => /services\.jobs\.queue: queue `constructor` is not a resource of this app/.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /services\.web\.env\.A\.from: .*`constructor`, which is not a resource or web service/.test(e)), errors.join('\n'));
  assert.ok(errors.every((e) => !e.includes('undefined')), errors.join('\n'));
});

test('env variable and tag keys that are object property names synthesize as written', () => {
  const doc = synthesize(resolved({ version: 1, name: 'shop', tags: { constructor: 'a', toString: 'b' }, services: { web: { type: 'web', image: 'nginx', env: { constructor: 'c', hasOwnProperty: 'd' } } } }));
  const tags = (doc.provider!.aws[0].default_tags as { tags: Record<string, string> }[])[0].tags;
  assert.equal(Object.hasOwn(tags, 'constructor') && tags.constructor, 'a');
  assert.equal(Object.hasOwn(tags, 'toString') && tags.toString, 'b');
  assert.match(JSON.stringify(doc), /\\"name\\":\\"constructor\\",\\"value\\":\\"c\\"/);
});

test('a config that synthesis cannot build (schema bypassed) throws a SynthError with the cause, and the push check fails with the reason', () => {
  const config = resolved({ version: 1, name: 'shop', services: { web: { type: 'web', image: 'nginx' } } });
  const broken = { ...config, services: { constructor: config.services.web } };
  let thrown: unknown;
  try {
    synthesize(broken);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof SynthError, String(thrown));
  assert.match(thrown.message, /^cannot synthesize shop\/production: There is already a Construct with name 'constructor'/);
  assert.ok(thrown.cause instanceof Error);

  const check = checkOutput({ trigger: 'push', sha: 'a'.repeat(40), evaluations: [], configErrors: [], synthFailures: [{ app: 'shop', file: 'paas.yaml', reason: thrown.message }] });
  assert.equal(check.conclusion, 'failure');
  assert.equal(check.title, '1 app(s) could not be synthesized');
  assert.match(check.summary, /\*\*Could not synthesize\*\*\n- \*\*shop\*\* \(paas\.yaml\): cannot synthesize shop\/production/);
  assert.deepEqual(check.annotations.map((a) => [a.path, a.annotation_level, a.title]), [['paas.yaml', 'failure', 'cannot synthesize shop']]);
});
