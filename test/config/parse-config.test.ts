import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatConfigError, parseConfigText } from '../../src/config/load.ts';

const root = join(import.meta.dirname, '..', '..');
const head = 'version: 1\nname: shop\n';

/** Every error as the CLI prints it: the whole line is the contract. */
function errorsOf(text: string): string[] {
  const result = parseConfigText(text, 'paas.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('parseConfigText on valid files', () => {
  for (const fixture of ['simple-web-app', 'microservices-demo', 'ai-ml-pipeline', 'monorepo/apps/api', 'monorepo/apps/web']) {
    it(`loads fixtures/apps/${fixture} with defaults applied`, async () => {
      const file = `fixtures/apps/${fixture}/paas.yaml`;
      const result = parseConfigText(await readFile(join(root, file), 'utf8'), file);
      assert.equal(result.ok, true, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
      if (!result.ok) return;
      assert.equal(result.config.version, 1);
      assert.ok(Object.keys(result.config.services).length > 0);
    });
  }

  it('fills defaults the user left out', () => {
    const result = parseConfigText(`${head}services:\n  web: { type: web, image: x }\n`, 'paas.yaml');
    assert.ok(result.ok);
    assert.equal(result.config.region, 'us-east-1');
    const web = result.config.services.web;
    assert.equal(web.type, 'web');
    if (web.type === 'web') assert.equal(web.port, 8080);
    assert.deepEqual(result.config.resources, {});
  });

  it('accepts YAML merge keys and core tags', () => {
    const text = `${head}services:\n  web:\n    <<: { type: web, image: x }\n    cpu: !!float 0.5\n    memory: 3Gi\n`;
    const result = parseConfigText(text, 'paas.yaml');
    assert.ok(result.ok, errorsOf(text).join('\n'));
    assert.deepEqual(result.config.services.web, { type: 'web', image: 'x', cpu: 0.5, memory: '3Gi', port: 8080 });
  });
});

describe('parseConfigText turns every schema problem into a located error with a hint', () => {
  const cases: [string, string, string[]][] = [
    ['an unknown top-level key', `${head}servics: {}\n`, ['paas.yaml:3:1: servics: unknown field `servics` (did you mean `services`?)']],
    ['a misspelt service type', `${head}services:\n  web:\n    type: wbe\n    image: x\n`,
      ['paas.yaml:5:11: services.web.type: unknown service type "wbe" (did you mean `web`? types: web, worker, cron, function, static)']],
    ['a service without a type', `${head}services:\n  web:\n    image: x\n`,
      ['paas.yaml:4:3: services.web.type: missing required field `type` (the service type: one of web, worker, cron, function, static)']],
    ['a typo inside an env reference', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      A: { form: db.url }\n`,
      ['paas.yaml:8:12: services.web.env.A.form: unknown field `form` (did you mean `from`?)']],
    ['a word where a count belongs', `${head}services:\n  web:\n    type: web\n    image: x\n    instances: lots\n`,
      ['paas.yaml:7:16: services.web.instances: expected a number or a mapping, got the text "lots" (A fixed count, or { min, max } for autoscaling.)']],
    ['a value outside an enum', `${head}resources:\n  db: { type: postgres, size: hughe }\n`,
      ['paas.yaml:4:31: resources.db.size: "hughe" is not one of micro, small, medium, large, xlarge']],
    ['a near miss of an enum value', `${head}resources:\n  db: { type: postgres, size: smal }\n`,
      ['paas.yaml:4:31: resources.db.size: "smal" is not one of micro, small, medium, large, xlarge (did you mean `small`?)']],
    ['an invalid service name', `${head}services:\n  Web:\n    type: static\n    source: x\n`,
      ['paas.yaml:4:3: services.Web: service name `Web` is not valid: must start with a lowercase letter and use only a-z, 0-9 and "-", at most 39 characters']],
    ['an invalid environment variable name', `${head}services:\n  web:\n    type: web\n    image: x\n    env:\n      a-b: 1\n`,
      ['paas.yaml:8:7: services.web.env.a-b: environment variable name `a-b` is not valid: must be a valid environment variable name']],
    ['a size without a unit', `${head}services:\n  web:\n    type: web\n    image: x\n    memory: 1024\n`,
      ['paas.yaml:7:13: services.web.memory: expected a string, got the number 1024 (sizes need a unit: write 1024Mi)']],
    ['a size in the wrong unit', `${head}services:\n  web:\n    type: web\n    image: x\n    memory: 1GB\n`,
      ['paas.yaml:7:13: services.web.memory: the text "1GB" is not valid: must be a size with a unit, such as 512Mi, 1Gi or 20Gi (did you mean `1Gi`?)']],
    ['a duration spelt out', `${head}resources:\n  q: { type: queue, retention: 4days }\n`,
      ['paas.yaml:4:32: resources.q.retention: the text "4days" is not valid: must be a duration with a unit, such as 30s, 5m, 2h or 3d (did you mean `4d`?)']],
    ['a wrong version', 'version: 2\nname: shop\n', ['paas.yaml:1:10: version: must be 1, got the number 2']],
    ['a missing version', 'name: shop\n', ['paas.yaml:1:1: version: missing required field `version` (write version: 1)']],
    ['a quoted number', `${head}services:\n  web: { type: web, image: x, port: "8080" }\n`,
      ['paas.yaml:4:37: services.web.port: expected a number, got the text "8080" (write 8080 without quotes)']],
    ['an empty value', `${head}services:\n  web:\n`,
      ['paas.yaml:4:7: services.web: expected a mapping, got an empty value (the value is empty: give `web` a value or remove the line)']],
    ['a command written as one string', `${head}services:\n  web: { type: web, image: x, command: node server.js }\n`,
      ['paas.yaml:4:40: services.web.command: expected a list, got the text "node server.js" (write a list: ["node", "server.js"])']],
    ['an unquoted version number', `${head}resources:\n  db: { type: postgres, version: 16 }\n`,
      ['paas.yaml:4:34: resources.db.version: the number 16 is not one of 14, 15, 16, 17 (quote it: "16")']],
    ['an env value that is both a reference and a secret', `${head}services:\n  web: { type: web, image: x, env: { A: { from: db.url, secret: x } } }\nresources:\n  db: { type: postgres }\n`,
      ['paas.yaml:4:57: services.web.env.A.secret: `secret` cannot be combined with `from` (use one form: { from } or { secret })']],
    ['a mistyped region', `${head}region: us-east1\n`,
      ['paas.yaml:3:9: region: the text "us-east1" is not valid: must be an AWS region such as us-east-1 or eu-west-1 (did you mean `us-east-1`?)']],
    ['an app name with capitals and spaces', 'version: 1\nname: My App\n',
      ['paas.yaml:2:7: name: the text "My App" is not valid: must start with a lowercase letter and use only a-z, 0-9 and "-", at most 39 characters (did you mean `my-app`?)']],
    ['a field of another service type', `${head}services:\n  w: { type: worker, image: x, autoscaling: { requestsPerInstance: 5 } }\n`,
      ['paas.yaml:4:47: services.w.autoscaling.requestsPerInstance: unknown field `requestsPerInstance` (allowed: cpu, memory, backlogPerInstance)']],
    ['an empty file', '', ['paas.yaml:1:1: file is empty (start with `version: 1` and `name: <app>`)']],
    ['a list at the top', '- a\n- b\n', ['paas.yaml:1:1: the top level must be a mapping of fields, not a list (start with `version: 1` and `name: <app>`)']],
    ['two YAML documents', `${head}---\nversion: 1\n`,
      ['paas.yaml:3:1: a paas.yaml holds one YAML document (remove the `---` separator and what follows it, or split it into another app folder)']],
    ['tab indentation', 'version: 1\nname: shop\nservices:\n\tweb: {}\n', ['paas.yaml:4:1: tabs are not allowed as indentation (indent with spaces, not tabs)']],
    ['a __proto__ key (data, never a prototype)', `${head}__proto__: { polluted: true }\n`,
      ['paas.yaml:3:1: __proto__: `__proto__` is not allowed as a key (rename the key)']],
    ['a __proto__ key deep inside an override', `${head}services:\n  web: { type: web, image: x }\nenvironments:\n  s:\n    services:\n      web:\n        env:\n          __proto__: { polluted: 1 }\n`,
      ['paas.yaml:10:11: environments.s.services.web.env.__proto__: `__proto__` is not allowed as a key (rename the key)']],
  ];
  for (const [name, text, expected] of cases) {
    it(`reports ${name}`, () => assert.deepEqual(errorsOf(text), expected));
  }

  it('reports every problem in the file, in line order, not just the first', () => {
    const text = `${head}services:\n  web:\n    type: web\n    image: x\n    cpuu: 1\n    port: x\nresources:\n  db: { type: postgress }\n`;
    assert.deepEqual(errorsOf(text), [
      'paas.yaml:7:5: services.web.cpuu: unknown field `cpuu` (did you mean `cpu`?)',
      'paas.yaml:8:11: services.web.port: expected a number, got the text "x" (write a number, such as port: 8080)',
      'paas.yaml:10:15: resources.db.type: unknown resource type "postgress" (did you mean `postgres`? types: postgres, redis, queue, bucket)',
    ]);
  });
});

describe('parseConfigText bounds hostile input', () => {
  it('refuses flow nesting deeper than 64 levels with one error', () => {
    const errors = errorsOf(`version: 1\nname: x\ntags: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^paas\.yaml:3:70: .*nesting is too deep \(the limit is 64 levels\)/);
  });

  it('survives nesting deep enough to exhaust the parser, with one error and no exception', () => {
    const errors = errorsOf(`version: 1\nname: x\ntags: ${'['.repeat(20000)}\n`);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /nesting is too deep/);
  });

  it('refuses block nesting deeper than 64 levels', () => {
    const text = `version: 1\nname: x\ntags:\n${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`;
    assert.match(errorsOf(text)[0], /nesting is too deep/);
  });

  it('bounds alias expansion through merge keys too', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `x${i + 1}: &x${i + 1} { <<: [*x${i}, *x${i}], k${i}: 1 }`).join('\n');
    const errors = errorsOf(`version: 1\nname: x\nx0: &x0 { a: b }\n${chain}\n`);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^paas\.yaml:4:16: x1\.<<\[0\]: aliases expand too many times/);
  });

  it('stops YAML syntax errors at a readable number', () => {
    const errors = errorsOf(`version: 1\nname: x\n${'a: [\n'.repeat(200)}`);
    assert.ok(errors.length >= 1 && errors.length <= 20, `${errors.length} errors`);
  });

  it('counts bytes, not characters, against the 256 KiB limit', () => {
    const text = `version: 1\nname: x\n# ${'é'.repeat(140 * 1024)}\n`; // 140 Ki characters, 280 KiB of UTF-8
    assert.match(errorsOf(text)[0], /^paas\.yaml:1:1: file is too large \(281 KiB\); the limit is 256 KiB/);
  });
});

describe('locate', () => {
  const text = `${head}services:\n  web:\n    type: web\n    image: x\n    memory: 1Gi\n    instances: { min: 1, max: 5 }\n    schedule:\n      - cron: "0 8 * * 1-5"\n        min: 4\n    env:\n      A:\n        from: db.url\ntags:\n  app.kubernetes.io/name: shop\nresources:\n  db: { type: postgres }\n`;
  const result = parseConfigText(text, 'paas.yaml');
  assert.ok(result.ok, errorsOf(text).join('\n'));

  it('finds a field from its key to the end of its value', () => {
    assert.deepEqual(result.locate('services.web.memory'), { line: 7, column: 5, endLine: 7, endColumn: 15 });
    assert.deepEqual(result.locate('services.web'), { line: 4, column: 3, endLine: 14, endColumn: 20 });
  });

  it('finds list items by [index] or .index, and keys holding dots', () => {
    assert.deepEqual(result.locate('services.web.schedule[0].min'), { line: 11, column: 9, endLine: 11, endColumn: 14 });
    assert.deepEqual(result.locate('services.web.schedule.0.min'), result.locate('services.web.schedule[0].min'));
    assert.deepEqual(result.locate(['services', 'web', 'schedule', 0, 'cron']), { line: 10, column: 9, endLine: 10, endColumn: 27 });
    assert.equal(result.locate('tags.app.kubernetes.io/name')?.line, 16);
  });

  it('is undefined for fields not written in the file (defaults included)', () => {
    assert.equal(result.locate('services.web.port'), undefined);
    assert.equal(result.locate('services.api'), undefined);
    assert.equal(result.locate('services.web.schedule[3]'), undefined);
  });

  it('follows YAML merge keys to where a merged field is written', () => {
    const text2 = `${head}services:\n  api: &base\n    type: web\n    image: x\n  web:\n    <<: *base\n    port: 80\n`;
    const result2 = parseConfigText(text2, 'paas.yaml');
    assert.ok(result2.ok, errorsOf(text2).join('\n'));
    assert.deepEqual(result2.locate('services.web.port'), { line: 9, column: 5, endLine: 9, endColumn: 12 });
    assert.deepEqual(result2.locate('services.web.image'), { line: 6, column: 5, endLine: 6, endColumn: 12 });
  });

  it('exposes the same lookup as result.lines', () => {
    assert.deepEqual(result.lines.locate('resources.db'), result.locate('resources.db'));
    assert.deepEqual(result.lines.locateValue('resources.db.type'), { line: 18, column: 15, endLine: 18, endColumn: 22 });
  });
});

describe('parseConfigText on a file with very many mistakes', () => {
  it('lists the first 100 and counts the rest', () => {
    const vars = Array.from({ length: 300 }, (_, i) => `      bad-${i}: x`).join('\n');
    const errors = errorsOf(`${head}services:\n  web:\n    type: web\n    image: x\n    env:\n${vars}\n`);
    assert.equal(errors.length, 101);
    assert.match(errors[100], /^paas\.yaml:\d+:\d+: 200 more errors not shown \(fix these first\)$/);
  });
});
