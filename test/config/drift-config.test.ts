// `drift:` in paas.yaml: the schedule and healing per environment (previews never), with located
// errors for what is wrong and a fix in the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftSchedule } from '../../src/config/drift-schedule.ts';
import { formatConfigError, parseConfigText } from '../../src/config/load.ts';
import { resolveEnvironment } from '../../src/config/resolve-environment.ts';

const head = 'version: 1\nname: shop\nservices:\n  web: { type: web, image: x }\n';

function parse(text: string) {
  const result = parseConfigText(text, 'paas.yaml');
  return result;
}

describe('drift in paas.yaml', () => {
  it('defaults to a daily check that reports without healing', () => {
    const result = parse(head);
    assert.ok(result.ok);
    assert.deepEqual(driftSchedule(resolveEnvironment(result.config, 'production')), { everyMinutes: 1440, heal: false });
  });

  it('takes a schedule and healing at the top level, and per environment over it', () => {
    const result = parse(`${head}drift: { every: 6h }\nenvironments:\n  staging:\n    drift: { heal: true }\n  sandbox:\n    drift: { every: "off" }\n`);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(driftSchedule(resolveEnvironment(result.config, 'production')), { everyMinutes: 360, heal: false });
    assert.deepEqual(driftSchedule(resolveEnvironment(result.config, 'staging')), { everyMinutes: 360, heal: true });
    assert.deepEqual(driftSchedule(resolveEnvironment(result.config, 'sandbox')), { everyMinutes: null, heal: false });
  });

  it('reports a schedule that is not a duration, one too short, and an unknown field, each on its line', () => {
    const result = parse(`${head}drift:\n  every: sometimes\n  heal: yes please\nenvironments:\n  staging:\n    drift: { every: 1m }\n`);
    assert.ok(!result.ok);
    const lines = result.errors.map(formatConfigError);
    assert.ok(lines.some((l) => /paas\.yaml:6:\d+: drift\.every.*30m, 6h or 1d, or off/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /paas\.yaml:7:\d+: drift\.heal/.test(l)), lines.join('\n'));
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(lines.some((l) => /paas\.yaml:10:\d+: environments\.staging\.drift\.every.*at least 5m/.test(l)), lines.join('\n'));
  });

  it('refuses drift under previews: they are never checked', () => {
    const result = parse(`${head}previews:\n  enabled: true\n  drift: { heal: true }\n`);
    assert.ok(!result.ok);
    assert.ok(result.errors.map(formatConfigError).some((l) => /paas\.yaml:7:\d+: previews\.drift: unknown field/.test(l) && /drift/.test(l)), result.errors.map(formatConfigError).join('\n'));
  });
});
