import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PaasConfig } from '../../src/config/schema.ts';
import {
  UnknownEnvironmentError,
  environmentNames,
  formatConfigError,
  parseConfigText,
  resolveEnvironment,
} from '../../src/config/load.ts';

const root = join(import.meta.dirname, '..', '..');
const head = 'version: 1\nname: shop\n';

function errorsOf(text: string): string[] {
  const result = parseConfigText(text, 'paas.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

async function demo(): Promise<PaasConfig> {
  const file = 'fixtures/apps/microservices-demo/paas.yaml';
  const result = parseConfigText(await readFile(join(root, file), 'utf8'), file);
  assert.ok(result.ok);
  return result.config;
}

describe('resolveEnvironment', () => {
  it('production is the top level as written', async () => {
    const config = await demo();
    const production = resolveEnvironment(config, 'production');
    assert.equal(production.environment, 'production');
    assert.equal(production.region, 'us-east-1');
    assert.deepEqual(production.services, config.services);
  });

  it('a named environment deep-merges mappings and replaces lists and values', async () => {
    const staging = resolveEnvironment(await demo(), 'staging');
    assert.equal(staging.environment, 'staging');
    assert.equal(staging.region, 'us-west-2');
    const web = staging.services.web;
    assert.equal(web.type, 'web');
    if (web.type !== 'web') return;
    assert.deepEqual(web.instances, { min: 1, max: 2 });
    assert.deepEqual(web.schedule, []);
    assert.deepEqual(web.domains, ['staging.shop.example.com']);
    assert.equal(web.cpu, 0.5, 'fields the override leaves alone stay');
    assert.deepEqual(web.autoscaling, { cpu: 60, memory: 75, requestsPerInstance: 500 });
    const db = staging.resources.db;
    assert.equal(db.type === 'postgres' && db.size, 'micro');
    assert.equal(db.type === 'postgres' && db.storage, '20Gi');
  });

  it('pr-<number> takes the previews block, and null removes a field', async () => {
    const preview = resolveEnvironment(await demo(), 'pr-42');
    assert.equal(preview.environment, 'pr-42');
    const web = preview.services.web;
    assert.ok(web.type === 'web');
    assert.deepEqual(web.instances, { min: 1, max: 1 });
    assert.equal(web.domains, undefined);
    assert.equal(preview.region, 'us-east-1');
  });

  it('does not change the config it was given', async () => {
    const config = await demo();
    const before = structuredClone(config);
    resolveEnvironment(config, 'staging');
    resolveEnvironment(config, 'pr-1');
    assert.deepEqual(config, before);
  });

  it('refuses an unknown environment, listing the known ones', async () => {
    const config = await demo();
    assert.deepEqual(environmentNames(config), ['production', 'staging']);
    assert.throws(() => resolveEnvironment(config, 'stagin'), (error: unknown) => {
      assert.ok(error instanceof UnknownEnvironmentError);
      assert.equal(error.code, 'UNKNOWN_ENVIRONMENT');
      assert.equal(error.message, 'unknown environment "stagin": known environments are production, staging, and pr-<number> for previews');
      return true;
    });
  });

  it('refuses a preview when previews are not enabled', () => {
    const result = parseConfigText(`${head}services:\n  web: { type: web, image: x }\n`, 'paas.yaml');
    assert.ok(result.ok);
    assert.throws(() => resolveEnvironment(result.config, 'pr-7'), /previews are not enabled in this config/);
  });
});

describe('every environment is validated at load time', () => {
  const base = `${head}services:\n  web: { type: web, image: x, instances: { min: 1, max: 4 } }\n`;
  const cases: [string, string, string[]][] = [
    ['a merged result breaks at the override line, under the override path', `${base}environments:\n  staging:\n    services:\n      web:\n        instances: { min: 6 }\n        cpu: 2\n`, [
      'paas.yaml:9:27: environments.staging.services.web.instances.min: min (6) is greater than max (4) (min must be ≤ max)',
      'paas.yaml:10:14: environments.staging.services.web.cpu: cpu 2 cannot run with the default memory 512Mi (with cpu 2, memory must be 4Gi to 16Gi in steps of 1Gi)',
    ]],
    ['an override of a service the top level lacks', `${base}environments:\n  staging:\n    services:\n      wbe: { cpu: 1 }\n`,
      ['paas.yaml:8:7: environments.staging.services.wbe: environment `staging` overrides service `wbe`, which the top level does not define (did you mean `web`?)']],
    ['an unknown field inside an override', `${base}environments:\n  staging:\n    services:\n      web: { memmory: 1Gi }\n`,
      ['paas.yaml:8:14: environments.staging.services.web.memmory: unknown field `memmory` (did you mean `memory`?)']],
    ['a wrong type inside a previews override', `${base}previews:\n  enabled: true\n  services:\n    web: { port: http }\n`,
      ['paas.yaml:8:18: previews.services.web.port: expected a number, got the text "http" (write a number, such as port: 8080)']],
    ['an environment named production', `${base}environments:\n  production: {}\n`,
      ['paas.yaml:6:3: environments.production: `production` is the top level of the file, not an environment (move these settings to the top level)']],
    ['an environment named like a preview', `${base}environments:\n  pr-1: {}\n`,
      ['paas.yaml:6:3: environments.pr-1: `pr-1` is reserved for pull request previews (shape previews under `previews:`; rename this environment)']],
    ['a domain two environments claim', `${head}services:\n  web: { type: web, image: x, domains: [a.example.com] }\nenvironments:\n  staging:\n    services:\n      web: { domains: [a.example.com] }\n`,
      ['paas.yaml:8:24: environments.staging.services.web.domains[0]: domain a.example.com is already used by production (services.web) (each environment needs its own domain, such as staging.example.com)']],
    ['a domain in previews', `${base}previews:\n  enabled: true\n  services:\n    web: { domains: [pr.example.com] }\n`,
      ['paas.yaml:8:22: previews.services.web.domains[0]: previews cannot set domains: every pull request would claim the same one (remove domains from previews; previews get generated URLs)']],
  ];
  for (const [name, text, expected] of cases) it(`reports ${name}`, () => assert.deepEqual(errorsOf(text), expected));

  it('reports a top-level problem once, not once per environment', () => {
    const text = `${head}services:\n  web: { type: web, image: x, cpu: 3 }\nenvironments:\n  staging: { region: us-west-2 }\n  qa: { region: eu-west-1 }\npreviews: { enabled: true }\n`;
    assert.deepEqual(errorsOf(text), ['paas.yaml:4:36: services.web.cpu: cpu 3 is not a Fargate size (use 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU)']);
  });

  it('an override can fix what it inherits: staging with its own floors passes', () => {
    const text = `${head}services:\n  web:\n    type: web\n    image: x\n    instances: { min: 2, max: 10 }\n    schedule: [{ cron: "0 8 * * 1-5", min: 4 }]\nenvironments:\n  staging:\n    services:\n      web: { instances: { min: 1, max: 2 }, schedule: [] }\n`;
    assert.deepEqual(errorsOf(text), []);
  });
});

describe('deploy:', () => {
  const resolved = (text: string, environment: string) => {
    const result = parseConfigText(head + text, 'paas.yaml');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    return resolveEnvironment(result.config, environment).deploy;
  };

  it('is auto with no checks unless set; `manual` is short for { mode: manual }', () => {
    assert.equal(resolved('', 'production'), undefined);
    assert.deepEqual(resolved('deploy: manual\n', 'production'), { mode: 'manual', after: [] });
    assert.deepEqual(resolved('deploy: { after: [build] }\n', 'production'), { mode: 'auto', after: ['build'] });
  });

  it('an environment changes only what it sets', () => {
    const text = 'deploy: { mode: manual, after: [build] }\nenvironments:\n  staging: { deploy: auto }\n  qa: { deploy: { after: [build, e2e] } }\n';
    assert.deepEqual(resolved(text, 'production'), { mode: 'manual', after: ['build'] });
    assert.deepEqual(resolved(text, 'staging'), { mode: 'auto', after: ['build'] });
    assert.deepEqual(resolved(text, 'qa'), { mode: 'manual', after: ['build', 'e2e'] });
  });

  it('a wrong mode or check is reported on its own line and field', () => {
    assert.deepEqual(errorsOf(`${head}deploy: automatic\n`).map((e) => e.split('\n')[0]), ['paas.yaml:3:9: deploy: "automatic" is not one of auto, manual']);
    assert.match(errorsOf(`${head}environments:\n  qa:\n    deploy: { mode: yolo }\n`)[0]!, /paas\.yaml:5:\d+: environments\.qa\.deploy\.mode: "yolo" is not one of auto, manual/);
    assert.match(errorsOf(`${head}deploy: { after: [''] }\n`)[0]!, /paas\.yaml:3:\d+: deploy\.after\[0\]/);
  });
});
