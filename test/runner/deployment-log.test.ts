import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDeploymentLog } from '../../src/runner/open-deployment-log.ts';
import { createRedactor } from '../../src/runner/redact.ts';
import { sensitiveValues } from '../../src/runner/sensitive-values.ts';
import { terraformEnvironment } from '../../src/runner/terraform-environment.ts';
import { readDeploymentLog } from '../../src/store/deployment-logs.ts';
import type { Store } from '../../src/store/store.ts';
import { openTestPglite, unique } from '../store/engines.ts';
import { logText, recordTestDeployment } from './runner-fixtures.ts';

let store: Store;
before(async () => {
  store = await openTestPglite();
});
after(async () => store?.close());

const newDeployment = async () => (await recordTestDeployment(store.db, { app: unique('shop'), sha: 'abc', terraformJson: {} })).deployment.id;

describe('a deployment’s log', () => {
  test('streams into the store while the run goes on, masked', async () => {
    const id = await newDeployment();
    const log = openDeploymentLog(store.db, id, { redactor: createRedactor(['hunter2-secret']), flushMs: 20 });
    log.line('plan', 'connecting with hunter2-secret');
    log.line('plan', 'Plan: 1 to add');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await logText(store.db, id), 'connecting with ***\nPlan: 1 to add', 'written before the log is closed');
    log.line('apply', 'Apply complete!');
    await log.close();
    log.line('apply', 'after close');
    const chunks = await readDeploymentLog(store.db, id);
    assert.deepEqual(chunks.map((c) => [c.step, c.text]), [['plan', 'connecting with ***\nPlan: 1 to add'], ['apply', 'Apply complete!']]);
  });

  test('is bounded: past the limit it keeps its beginning and its end, and says how much it left out', async () => {
    const id = await newDeployment();
    const log = openDeploymentLog(store.db, id, { redactor: createRedactor(), limitBytes: 4_000, flushMs: 10 });
    for (let i = 0; i < 1_000; i++) log.line('apply', `line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    log.line('apply', 'Error: the last words');
    await log.close();
    const text = await logText(store.db, id);
    assert.ok(Buffer.byteLength(text) <= 4_000 + 200, `bounded (${Buffer.byteLength(text)} bytes)`);
    assert.match(text, /^line 0000 /);
    assert.match(text, /\[… \d+ bytes of output left out: the log keeps the first 3000 and the last 1000 bytes …\]/);
    assert.match(text, /Error: the last words$/);
  });
});

describe('what is masked', () => {
  test('secret-looking variables of the environment (and the state connection’s password), not the rest', () => {
    const { env, secrets } = terraformEnvironment({
      base: { PATH: '/usr/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'aws-secret-1', AWS_SESSION_TOKEN: 'aws-token-1', WEBHOOK_SECRET: 'hook-secret', PRIVATE_KEY: 'pem-text', SLIPWAY_API_TOKEN: 'api-token', TF_CLI_ARGS_apply: '-destroy', LANG: 'C.UTF-8' },
      cliConfigFile: '/data/terraformrc',
      pluginCacheDir: '/data/plugins',
      state: { kind: 'pg', databaseUrl: 'postgres://state:p%40ss-word@db/state?sslmode=disable', schema: 's' },
      workspace: 'shop.production',
    });
    assert.equal(env.AWS_SECRET_ACCESS_KEY, 'aws-secret-1', 'Terraform deploys with the cloud credentials');
    for (const gone of ['WEBHOOK_SECRET', 'PRIVATE_KEY', 'SLIPWAY_API_TOKEN', 'TF_CLI_ARGS_apply']) assert.equal(env[gone], undefined, `${gone} is not passed on`);
    assert.equal(env.TF_WORKSPACE, 'shop.production');
    assert.equal(env.PG_CONN_STR, 'postgres://state:p%40ss-word@db/state?sslmode=disable');
    const redactor = createRedactor(secrets);
    assert.equal(
      redactor.redact('aws-secret-1 aws-token-1 hook-secret api-token p@ss-word postgres://state:p%40ss-word@db/state?sslmode=disable C.UTF-8 /usr/bin'),
      '*** *** *** *** *** *** C.UTF-8 /usr/bin',
    );
  });

  test('values a saved plan marks sensitive: resource attributes, outputs and variables', () => {
    // The shape of `terraform show -json` (format 1.2) for a plan with one sensitive variable.
    const plan = {
      format_version: '1.2',
      variables: { password: { value: 'from-variable' }, region: { value: 'us-east-1' } },
      planned_values: {
        outputs: { pw: { sensitive: true, value: 'from-output' }, url: { sensitive: false, value: 'https://x' } },
        root_module: { resources: [{ address: 'terraform_data.a', values: { input: { pw: 'from-values', image: 'nginx' } }, sensitive_values: { input: { pw: true } } }] },
      },
      resource_changes: [{ address: 'terraform_data.a', change: { before: { input: ['old-secret', 'plain'] }, before_sensitive: { input: [true, false] }, after: { input: { pw: 'from-after' } }, after_sensitive: { input: { pw: true } } } }],
      configuration: { root_module: { variables: { password: { sensitive: true }, region: {} } } },
    };
    assert.deepEqual(sensitiveValues(plan).sort(), ['from-after', 'from-output', 'from-values', 'from-variable', 'old-secret']);
  });
});
