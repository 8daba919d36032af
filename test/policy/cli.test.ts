import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { run } from '../../src/cli/policy.ts';
import { synthesize } from '../../src/synth/index.ts';
import { resolveEnvironment, loadApps } from '../../src/config/load.ts';

function io(env: Record<string, string> = {}, cwd = process.cwd()) {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), cwd, env } };
}

const app = `version: 1
name: shop
region: us-east-1
services:
  web:
    type: web
    image: ghcr.io/acme/shop:1
    cpu: 8
    memory: 16Gi
    instances: { min: 1, max: 30 }
resources:
  db: { type: postgres, backupDays: 7 }
  uploads: { type: bucket }
budget: { monthly: 20 }
`;

function tempApp(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-policy-cli-'));
  writeFileSync(join(dir, 'paas.yaml'), text);
  return dir;
}

test('policy check on a clean fixture passes every built-in rule and exits 0', async () => {
  const { out, io: cli } = io();
  const code = await run(['check', 'fixtures/apps/microservices-demo'], cli);
  assert.equal(out.stderr, '');
  assert.equal(code, 0, out.stdout);
  assert.match(out.stdout, /0 blocking, 0 warning\(s\), 8 passed, 10 not applicable/);
  assert.match(out.stdout, /required-tags: \d+ checked, none at fault/);
});

test('policy check reports failing rules with paas.yaml locations and exits 1', async () => {
  const dir = tempApp(app);
  try {
    const { out, io: cli } = io({}, dir);
    const code = await run(['check', '.', '--format', 'json'], cli);
    assert.equal(code, 1, out.stderr);
    const report = JSON.parse(out.stdout) as { apps: { conclusion: string; blocking: string[]; results: { ruleId: string; status: string; resources: string[]; location?: { file: string; line: number } }[] }[] };
    const failing = Object.fromEntries(report.apps[0].results.filter((r) => r.status === 'fail').map((r) => [r.ruleId, r]));
    assert.deepEqual(Object.keys(failing).sort(), ['max-instances', 'max-service-size', 'monthly-budget']);
    assert.equal(report.apps[0].conclusion, 'failure');
    assert.deepEqual([...report.apps[0].blocking].sort(), Object.keys(failing).sort());
    assert.deepEqual(failing['max-service-size'].resources, ['services.web']);
    assert.deepEqual([failing['max-service-size'].location?.file, failing['max-service-size'].location?.line], ['paas.yaml', 8]);
    assert.equal(failing['max-instances'].location?.line, 10);
    assert.equal(failing['monthly-budget'].location?.line, 14);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy check judges a destroyed database against --base and reads repository policies', async () => {
  const dir = tempApp(app.replace('cpu: 8', 'cpu: 1').replace('memory: 16Gi', 'memory: 2Gi').replace('max: 30', 'max: 3').replace('monthly: 20', 'monthly: 5000'));
  try {
    const loaded = await loadApps(dir);
    const before = synthesize(resolveEnvironment(loaded.apps[0].config, 'production'));
    writeFileSync(join(dir, 'base.json'), JSON.stringify(before));
    writeFileSync(join(dir, 'paas.yaml'), app.replace('cpu: 8', 'cpu: 1').replace('memory: 16Gi', 'memory: 2Gi').replace('max: 30', 'max: 3').replace('monthly: 20', 'monthly: 5000').replace('  db: { type: postgres, backupDays: 7 }\n', ''));
    mkdirSync(join(dir, '.slipway/policies'), { recursive: true });
    writeFileSync(join(dir, '.slipway/policies/team.yaml'), 'version: 1\nparams: { allowedRegions: [eu-west-1] }\n');
    const { out, io: cli } = io({}, dir);
    const code = await run(['check', '--base', 'base.json'], cli);
    assert.equal(code, 1, out.stderr);
    assert.match(out.stdout, /FAIL  stateful-change-approval/);
    assert.match(out.stdout, /aws_db_instance\.[\w-]+: will be destroyed/);
    assert.match(out.stdout, /\/slipway approve stateful-change-approval/);
    assert.match(out.stdout, /FAIL  allowed-regions/);
    assert.match(out.stdout, /paas\.yaml:3:\d+: shop: expected region in \["eu-west-1"\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid policy file or server folder stops the check with located errors', async () => {
  const dir = tempApp(app);
  try {
    mkdirSync(join(dir, 'org'));
    writeFileSync(join(dir, 'org/bad.yaml'), 'version: 1\nrulez: []\n');
    const server = io({ SLIPWAY_POLICY_DIR: 'org' }, dir);
    assert.equal(await run(['check'], server.io), 1);
    assert.match(server.out.stderr, /org\/bad\.yaml:2:1: rulez: unknown key "rulez" \(did you mean "rules"\?\)/);
    const local = io({}, dir);
    assert.equal(await run(['check', '--policies', 'org'], local.io), 1);
    assert.match(local.out.stderr, /bad\.yaml:2:1: rulez/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  const { out, io: cli } = io();
  assert.equal(await run(['lint'], cli), 2);
  assert.match(out.stderr, /unknown subcommand "lint"/);
  assert.equal(await run(['check', '--format', 'xml'], cli), 2);
  assert.equal(await run(['check', '--nope'], cli), 2);
});
