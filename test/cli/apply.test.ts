/**
 * `slipway apply`, `slipway deployments` and `slipway logs`. As processes: argument handling, no
 * Terraform, no terminal, `deploy: manual`, and a real paas.yaml taken as far as Terraform gets
 * offline (its AWS provider is looked for in an empty provider mirror, so `init` fails the same way
 * on every machine), then listed and its log printed. In-process: the entry the command uses,
 * `deployApps`, with the terraform_data test kinds, applying for real (the shipped CLI has no way
 * to use test kinds).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deployApps, type DeployAppsInput } from '../../src/cli/deploy-apps.ts';
import { loadApps } from '../../src/config/load.ts';
import { builtinRules, combinePolicies, loadPolicyFiles } from '../../src/policy/index.ts';
import type { Runner } from '../../src/runner/create-runner.ts';
import { findDeployment, listDeployments } from '../../src/store/deployment-runs.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { synthesizeTestApp } from '../harness/terraform-data-kinds.ts';
import { unique } from '../store/engines.ts';
import { logText, readState, disposeRunner, testRunner, webApp } from '../runner/runner-fixtures.ts';

const bin = new URL('../../bin/slipway.js', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'slipway-apply-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function slipway(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only what the command needs: no DATABASE_URL from the test's environment (the embedded store in the folder).
  const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? temp, ...options.env };
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(temp, 'project-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const realApp = `version: 1
name: shop
services:
  web:
    type: web
    image: nginx:1.27
`;

describe('slipway apply as a process', () => {
  test('arguments it does not take are refused with the usage', async () => {
    const dir = project({ 'paas.yaml': realApp });
    const extra = await slipway(['apply', '.', 'more'], { cwd: dir });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /unexpected argument "more"/);
    assert.match(extra.stderr, /Usage: slipway apply/);
    const unknown = await slipway(['apply', '--yes'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--yes'/);
    const help = await slipway(['apply', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--auto-approve/);
  });

  test('without Terraform it says so and what to do, and records nothing', async () => {
    const dir = project({ 'paas.yaml': realApp });
    const run = await slipway(['apply', '--auto-approve'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /slipway apply: no Terraform to apply with \(no terraform or tofu on the PATH and SLIPWAY_TERRAFORM is not set\)\. Install Terraform ≥ 1\.6 or OpenTofu/);
    const listed = await slipway(['deployments'], { cwd: dir });
    assert.equal(listed.stdout, 'no deployments\n');
  });

  test('an invalid paas.yaml or setting is reported before anything runs', async () => {
    const dir = project({ 'paas.yaml': 'version: 1\nname: Shop\n' });
    const bad = await slipway(['apply', '--auto-approve'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /paas\.yaml:2:\d+: name/);
    const unknownEnv = await slipway(['apply', '--env', 'staging', '--auto-approve'], { cwd: project({ 'paas.yaml': realApp }) });
    assert.equal(unknownEnv.code, 1);
    assert.match(unknownEnv.stderr, /^slipway apply: paas\.yaml: unknown environment "staging": known environments are production/);
    const setting = await slipway(['apply', '--auto-approve'], { cwd: project({ 'paas.yaml': realApp }), env: { SLIPWAY_STATE_BACKEND: 'dynamo' } });
    assert.equal(setting.code, 1);
    assert.match(setting.stderr, /SLIPWAY_STATE_BACKEND must be one of stack, pg, local/);
  });

  test('with nobody to ask it wants --auto-approve, which a deploy: manual environment refuses', async () => {
    const dir = project({ 'paas.yaml': realApp });
    const noTerminal = await slipway(['apply'], { cwd: dir });
    assert.equal(noTerminal.code, 2);
    assert.match(noTerminal.stderr, /nobody to ask: stdin is not a terminal; pass --auto-approve/);
    const manual = project({ 'paas.yaml': `${realApp}environments:\n  staging: { deploy: manual }\n` });
    const refused = await slipway(['apply', '--env', 'staging', '--auto-approve'], { cwd: manual });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /shop deploys staging manually \(deploy: manual\): a person confirms the plan/);
    assert.equal((await slipway(['deployments'], { cwd: manual })).stdout, 'no deployments\n');
  });

  test('a real paas.yaml goes as far as init offline: the failure, the listing and the log say why', async () => {
    const dir = project({ 'paas.yaml': realApp });
    const mirror = join(dir, 'empty-mirror');
    mkdirSync(mirror);
    // Every machine the same: the AWS provider only from this (empty) mirror, never the registry.
    writeFileSync(join(dir, 'mirror.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`);
    const env = { SLIPWAY_TERRAFORM_CONFIG: 'mirror.tfrc', SLIPWAY_STATE_BACKEND: 'local', AWS_SECRET_ACCESS_KEY: 'cli-canary-secret-1234' };
    const run = await slipway(['apply', '--auto-approve'], { cwd: dir, env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /shop · production: failed\n  init failed: Failed to query available provider packages\n/);
    assert.match(run.stdout, /was not found in any of the\s+search locations/);
    assert.ok(run.stdout.includes(`- ${mirror}\n`), 'the mirror SLIPWAY_TERRAFORM_CONFIG names was searched');
    const id = /log: slipway logs (\d+)/.exec(run.stdout)?.[1];
    assert.ok(id);

    const listed = await slipway(['deployments', '--app', 'shop'], { cwd: dir });
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^ID\s+APP\s+ENV\s+COMMIT\s+STATUS\s+WHEN\s+URL \/ ERROR$/m);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+shop\\s+production\\s+local\\s+failed\\s+\\S+Z\\s+init: Failed to query available provider packages$`, 'm'));
    assert.equal((await slipway(['deployments', '--env', 'staging'], { cwd: dir })).stdout, 'no deployments\n');

    const log = await slipway(['logs', id], { cwd: dir });
    assert.equal(log.code, 0);
    assert.match(log.stdout, new RegExp(`^deployment ${id}: local/project-\\w+ shop · production at local: failed`));
    assert.match(log.stdout, /--- runner\nplanning\n--- init\nInitializing the backend/);
    assert.ok(!log.stdout.includes('cli-canary-secret-1234'));
    const missing = await slipway(['logs', '999999'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no deployment 999999/);
    assert.equal((await slipway(['logs', 'abc'], { cwd: dir })).code, 2);
  });
});

describe('the apply entry with the terraform_data test kinds', () => {
  let store: Store;
  let runner: Runner & { dataDir: string };
  let storeDir: string;
  before(async () => {
    storeDir = mkdtempSync(join(temp, 'store-'));
    store = await openStore({ dataDir: join(storeDir, 'db') });
    runner = await testRunner({ state: { kind: 'local' } });
  });
  after(async () => {
    await store?.close();
    await disposeRunner(runner);
  });

  const input = async (yaml: string, overrides: Partial<DeployAppsInput> = {}) => {
    const out: string[] = [];
    const dir = project({ 'paas.yaml': yaml });
    const loaded = await loadApps(dir);
    assert.deepEqual(loaded.errors, []);
    const base: DeployAppsInput = {
      apps: loaded.apps,
      environment: 'production',
      repository: 'acme/shop',
      sha: 'abc1234',
      synthesize: (config, options) => synthesizeTestApp(config, options),
      policies: combinePolicies({ builtin: builtinRules() }),
      autoApprove: true,
      actor: 'cli:octocat',
      out: (t) => out.push(t),
    };
    return { input: { ...base, ...overrides }, out };
  };
  const deps = () => ({ db: store.db, runner, log: () => {} });

  test('with --auto-approve it reports the plan, applies, and prints the URL and where the log is', async () => {
    const app = unique('shop');
    const { input: i, out } = await input(webApp(app));
    const outcome = await deployApps(deps(), i);
    assert.ok('results' in outcome);
    const [{ result }] = outcome.results;
    assert.equal(result!.status, 'succeeded', JSON.stringify(result!.failure));
    const text = out.join('');
    assert.match(text, /Slipway plan: /);
    assert.match(text, new RegExp(`${app} · production: 1 to create`));
    assert.match(text, new RegExp(`${app} · production: succeeded\\n  web_url = https://web\\.${app}\\.production\\.slipway\\.internal\\n  log: slipway logs ${result!.deploymentId}`));
    const row = await findDeployment(store.db, result!.deploymentId);
    assert.equal(row?.trigger, 'cli');
    assert.equal(row?.repository, 'acme/shop');
    assert.equal((await listDeployments(store.db, { app }))[0]?.id, result!.deploymentId);
  });

  test('a person is asked, and only “yes” applies', async () => {
    const app = unique('shop');
    const questions: string[] = [];
    const answers = ['no', 'yes'];
    const ask = async (q: string) => (questions.push(q), answers.shift()!);
    const first = await input(webApp(app), { autoApprove: false, ask });
    const declined = await deployApps(deps(), first.input);
    assert.ok('results' in declined);
    assert.equal(declined.results[0]!.result.status, 'cancelled');
    assert.equal(declined.results[0]!.result.reason, 'not confirmed');
    assert.equal((await readState(runner, { app, environment: 'production' }))?.resources.length ?? 0, 0);
    const second = await input(webApp(app), { autoApprove: false, ask });
    const applied = await deployApps(deps(), second.input);
    assert.ok('results' in applied);
    assert.equal(applied.results[0]!.result.status, 'succeeded');
    assert.match(questions[0]!, new RegExp(`Apply these changes to ${app} \\(production\\)\\? Only 'yes' applies`));
  });

  test('an error-level policy result blocks the apply, even with --auto-approve', async () => {
    const app = unique('shop');
    const team = loadPolicyFiles(
      new Map([['.slipway/policies/team.yaml', `version: 1
rules:
  - id: production-has-two-instances
    description: Production web services run at least two instances.
    severity: error
    remediation: 'Set instances: 2 or more.'
    when: { environment: [production] }
    select:
      config: services
      where: [{ path: type, equals: web }]
    assert:
      - { path: instancesMin, greaterThanOrEqual: 2 }
    message: "{address} runs {instancesMin} instance(s) at minimum"
`]]),
      'repo',
    );
    assert.deepEqual(team.errors, []);
    const { input: i, out } = await input(webApp(app).replace('instances: 2', 'instances: 1'), { policies: combinePolicies({ builtin: builtinRules(), repository: team }) });
    const outcome = await deployApps(deps(), i);
    assert.ok('results' in outcome);
    assert.equal(outcome.results[0]!.result.status, 'cancelled');
    assert.equal(outcome.results[0]!.result.reason, 'blocked by policy: production-has-two-instances');
    assert.match(out.join(''), /\[error\] production-has-two-instances: /);
    assert.equal((await readState(runner, { app, environment: 'production' }))?.resources.length ?? 0, 0);
    assert.match(await logText(store.db, outcome.results[0]!.result.deploymentId), /cancelled: blocked by policy/);
  });
});
