/** `rollback:` in paas.yaml: defaults, per-environment overrides, and located errors for bad values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatConfigError, parseConfigText, resolveEnvironment } from '../../src/config/load.ts';
import { rollbackSettings } from '../../src/rollback/rollback-settings.ts';

const head = 'version: 1\nname: shop\nservices:\n  web:\n    type: web\n    image: nginx\n';

function parsed(text: string) {
  const result = parseConfigText(text, 'paas.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}
function errorsOf(text: string): string[] {
  const result = parseConfigText(text, 'paas.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

test('without rollback: the verdict watches 15 minutes of cpu, memory, errors and latency and rolls nothing back', () => {
  assert.deepEqual(rollbackSettings(resolveEnvironment(parsed(head), 'production')), { auto: false, watchMs: 900_000, metrics: ['cpu', 'memory', 'errors', 'latency'] });
});

test('an environment overrides only what it names', () => {
  const config = parsed(`${head}rollback: { auto: true, watch: 30m, metrics: [errors, latency] }\nenvironments:\n  staging:\n    rollback: { auto: false }\n`);
  assert.deepEqual(rollbackSettings(resolveEnvironment(config, 'production')), { auto: true, watchMs: 1_800_000, metrics: ['errors', 'latency'] });
  assert.deepEqual(rollbackSettings(resolveEnvironment(config, 'staging')), { auto: false, watchMs: 1_800_000, metrics: ['errors', 'latency'] });
});

test('bad rollback settings are errors on their line, with the field and what to write', () => {
  assert.deepEqual(errorsOf(`${head}rollback:\n  watch: 2m\n`), ['paas.yaml:8:10: rollback.watch: must be between 5m and 24h: long enough to hold samples, short enough to still be about this deploy']);
  assert.deepEqual(errorsOf(`${head}rollback:\n  metrics: [errors, latncy]\n`), ['paas.yaml:8:21: rollback.metrics[1]: "latncy" is not one of cpu, memory, errors, latency (did you mean `latency`?)']);
  assert.deepEqual(errorsOf(`${head}rollback:\n  metrics: [errors, errors]\n`), ['paas.yaml:8:12: rollback.metrics: lists a metric twice: name each once']);
  assert.deepEqual(errorsOf(`${head}rollback:\n  metrics: []\n`), ['paas.yaml:8:12: rollback.metrics: must have at least 1 item']);
  const typo = errorsOf(`${head}environments:\n  staging:\n    rollback: { auto: true, wacth: 10m }\n`);
  assert.equal(typo.length, 1);
  assert.match(typo[0]!, /^paas\.yaml:9:\d+: environments\.staging\.rollback\.wacth: unknown field `wacth`.*did you mean `watch`/);
  assert.match(errorsOf(`${head}rollback: { auto: yes please }\n`)[0]!, /^paas\.yaml:7:\d+: rollback\.auto: /);
});
