import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from '../../src/cli/synth.ts';
import { checkReferences } from '../../src/synth/check-references.ts';
import { componentOf } from '../../src/synth/component-of.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

const root = join(import.meta.dirname, '..', '..');

async function synth(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: root, env: {} });
  return { code, out, err };
}

test('slipway synth on microservices-demo, as a process, prints one consistent Terraform document', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/slipway.js', 'synth', 'fixtures/apps/microservices-demo', '--sha', 'c0ffee'], { cwd: root });
  assert.equal(stderr, '');
  const doc = JSON.parse(stdout) as TerraformJson;
  assert.deepEqual(checkReferences(doc), []);
  assert.equal(doc.terraform!.backend!.s3.key, 'shop/production/terraform.tfstate');
  assert.deepEqual(Object.keys(doc.resource!.aws_ecs_service).length, 2);
  assert.match(stdout, /ghcr\.io\/acme\/shop:c0ffee/);
});

test('--env picks the environment override', async () => {
  const { code, out } = await synth('fixtures/apps/microservices-demo', '--env', 'staging');
  assert.equal(code, 0);
  const doc = JSON.parse(out) as TerraformJson;
  assert.equal(doc.provider!.aws[0].region, 'us-west-2');
  assert.equal(doc.terraform!.backend!.s3.key, 'shop/staging/terraform.tfstate');
  const rds = Object.values(doc.resource!.aws_db_instance)[0];
  assert.equal(rds.instance_class, 'db.t4g.micro');
  const target = Object.values(doc.resource!.aws_appautoscaling_target).find((t) => componentOf(t) === 'web')!;
  assert.equal(target.max_capacity, 2);
});

test('a monorepo prints one object keyed by paas.yaml path; --out writes cdk.tf.json per app', async () => {
  const { code, out } = await synth('fixtures/apps/monorepo');
  assert.equal(code, 0);
  const docs = JSON.parse(out) as Record<string, TerraformJson>;
  assert.deepEqual(Object.keys(docs).sort(), ['apps/api/paas.yaml', 'apps/web/paas.yaml']);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-synth-'));
  try {
    const written = await synth('fixtures/apps/monorepo', '--out', dir);
    assert.equal(written.code, 0);
    const names = Object.values(docs).map((doc) => String(doc['//']!.metadata!.stackName));
    for (const name of names) {
      const onDisk = JSON.parse(await readFile(join(dir, name, 'cdk.tf.json'), 'utf8'));
      assert.deepEqual(onDisk, Object.values(docs).find((doc) => doc['//']!.metadata!.stackName === name));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an invalid config is reported as validate reports it, and nothing is printed', async () => {
  const { code, out, err } = await synth('fixtures/apps/invalid/unknown-key');
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /^fixtures\/apps\/invalid\/unknown-key\/paas\.yaml:\d+:\d+: services\.web\.memmory: .*memory/m);
});

test('an unknown environment, a missing directory and a bad flag are one-line errors', async () => {
  const unknown = await synth('fixtures/apps/microservices-demo', '--env', 'qa');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /unknown environment "qa"/);
  const missing = await synth('no/such/dir');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no such directory/);
  const bad = await synth('--nope');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /Usage: slipway synth/);
});
