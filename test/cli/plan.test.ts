import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run as cost } from '../../src/cli/cost.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { run as plan } from '../../src/cli/plan.ts';
import { checkMarkdown, COMMENT_MARKER } from '../../src/report/index.ts';

const root = new URL('../..', import.meta.url).pathname;

async function call(command: typeof plan, args: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, env: {} };
  const code = await command(args, io);
  return { code, out, err };
}

let scratch: string;
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('slipway plan', () => {
  for (const fixture of ['simple-web-app', 'microservices-demo', 'ai-ml-pipeline', 'monorepo']) {
    it(`prints a well-formed comment for ${fixture}, everything a create`, async () => {
      const { code, out, err } = await call(plan, [`fixtures/apps/${fixture}`, '--sha', 'abc1234']);
      assert.equal(code, 0, err);
      assert.ok(out.startsWith(COMMENT_MARKER));
      assert.match(out, /\*\*\d+ to create, 0 to destroy · (\+\$[\d,.]+\/month \(new: |\$0\.00\/month, plus usage-based costs)/);
      assert.match(out, /### Policies: /);
      assert.deepEqual(checkMarkdown(out), []);
    });
  }

  for (const fixture of ['simple-web-app', 'microservices-demo', 'ai-ml-pipeline', 'monorepo']) {
    it(`plans ${fixture} against a copy with one more queue: only the queue is new`, async () => {
      const head = join(scratch, `more-${fixture}`);
      cpSync(join(root, 'fixtures/apps', fixture), head, { recursive: true });
      const first = join(head, readdirSync(head, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('paas.yaml')).sort()[0]);
      const text = readFileSync(first, 'utf8');
      writeFileSync(first, /^resources:/m.test(text) ? text.replace(/^resources:\n/m, 'resources:\n  extra-jobs: { type: queue }\n') : `${text}\nresources:\n  extra-jobs: { type: queue }\n`);
      const { code, out, err } = await call(plan, [head, '--base', join(root, 'fixtures/apps', fixture), '--sha', 's']);
      assert.equal(code, 0, err);
      // A queue is synthesized as the queue and its dead-letter queue.
      assert.match(out, /\*\*2 to create, 0 to destroy · \$[\d,.]+\/month( \(no change\))?, plus usage-based costs\*\*/);
      assert.match(out, /\| extra-jobs \| 2 create \|/);
      assert.deepEqual(checkMarkdown(out), []);
    });
  }

  it('diffs against a modified copy of the directory', async () => {
    const base = join(scratch, 'base');
    cpSync(join(root, 'fixtures/apps/microservices-demo'), base, { recursive: true });
    const file = join(base, 'paas.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('size: small, storage: 20Gi', 'size: micro, storage: 20Gi'));
    const { code, out, err } = await call(plan, ['fixtures/apps/microservices-demo', '--base', base, '--no-policies', '--sha', 'x']);
    assert.equal(code, 0, err);
    // db.t4g.micro → db.t4g.small: 730 h × ($0.032 − $0.016) = +$11.68 in us-east-1.
    assert.match(out, /\*\*0 to create, 1 to update, 0 to destroy · \+\$11\.68\/month \(\+\d+%\)/);
    assert.match(out, /- instance_class = "db\.t4g\.micro"\n\+ instance_class = "db\.t4g\.small"/);
    assert.doesNotMatch(out, /### Policies/);
  });

  it('diffs against a saved Terraform JSON document', async () => {
    const { code, out } = await call(plan, ['fixtures/apps/microservices-demo', '--base', 'fixtures/terraform/shop-production-applied.tf.json', '--format', 'json', '--no-policies']);
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.equal(report.apps[0].plan.summary.update, 3);
    assert.ok(report.summary.delta > 0);
  });

  it('diffs against a git ref of the repository holding the directory', async () => {
    const repo = join(scratch, 'repo');
    cpSync(join(root, 'fixtures/apps/simple-web-app'), join(repo, 'app'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    const file = join(repo, 'app/paas.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('instances: 2', 'instances: 4'));
    const { code, out, err } = await call(plan, ['app', '--base', 'HEAD', '--format', 'text', '--no-policies'], repo);
    assert.equal(code, 0, err);
    assert.match(out, /desired_count = 2\n\s+\+ desired_count = 4/);
    const missing = await call(plan, ['app', '--base', 'no-such-ref'], repo);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /--base no-such-ref: not a directory, a file, or a git ref/);
  });

  it('renders a terraform show -json plan without leaking its sensitive values', async () => {
    for (const format of ['markdown', 'text', 'json']) {
      const { code, out } = await call(plan, ['--terraform-plan', 'fixtures/terraform/plan-1.2-modules-sensitive.json', '--format', format]);
      assert.equal(code, 0);
      for (const secret of ['correct-horse-battery-staple', 'sk_live_oldoldoldoldold1234', 'sk_live_abcdefghijklmnop']) assert.ok(!out.includes(secret), `${format}: ${secret}`);
      assert.ok(out.includes('module.storage.aws_s3_bucket.uploads'));
    }
    const { out } = await call(plan, ['--terraform-plan', 'fixtures/terraform/plan-1.2-modules-sensitive.json']);
    assert.match(out, /1 to create, 2 to update, 2 to replace, 1 to destroy/);
    assert.match(out, /`aws_db_instance\.db` \(plan-1\.2-modules-sensitive\/production\) will be \*\*replaced\*\*/);
    assert.doesNotMatch(out, /replace inferred by Slipway/, 'Terraform reported these replaces');
    assert.match(out, /\| `module\.storage\.aws_s3_bucket\.uploads` \| \$0\.00 \| \$0\.00 \+ usage \|/, 'costed under its module address');
  });

  it('names the file and JSON path of a bad plan, exit 1; usage errors exit 2', async () => {
    const bad = await call(plan, ['--terraform-plan', 'fixtures/terraform/plan-unknown-action.json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.err, 'slipway plan: fixtures/terraform/plan-unknown-action.json: resource_changes[3].change.actions[0]: unknown action "frobnicate" (create, read, update, delete, no-op)\n');
    const cut = await call(plan, ['--terraform-plan', 'fixtures/terraform/plan-truncated.json']);
    assert.equal(cut.code, 1);
    assert.match(cut.err, /plan-truncated\.json: not valid JSON/);
    assert.equal((await call(plan, ['--format', 'html'])).code, 2);
    assert.equal((await call(plan, ['--frobnicate'])).code, 2);
    const missing = await call(plan, ['fixtures/apps/does-not-exist']);
    assert.equal(missing.code, 1);
    assert.doesNotMatch(missing.err, /\n\s+at /, 'no stack trace');
  });

  it('plans a region it has no prices for, and says the cost is not estimated', async () => {
    const dir = join(scratch, 'mumbai');
    cpSync(join(root, 'fixtures/apps/simple-web-app'), dir, { recursive: true });
    const file = join(dir, 'paas.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^region: .*$/m, 'region: ap-south-1'));
    const { code, out, err } = await call(plan, [dir, '--no-policies', '--format', 'text']);
    assert.equal(code, 0, err);
    assert.match(out, /cost not estimated: no price table for region ap-south-1/);
    const unknownEnv = await call(plan, ['fixtures/apps/simple-web-app', '--env', 'nope']);
    assert.equal(unknownEnv.code, 1);
    assert.match(unknownEnv.err, /^slipway plan: paas\.yaml: .*nope/);
  });

  it('as a process, prints exactly what it renders in-process', async () => {
    const args = ['plan', 'fixtures/apps/microservices-demo', '--sha', 'deadbeef'];
    const child = spawnSync(process.execPath, ['bin/slipway.js', ...args], { cwd: root, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const inProcess = await call(plan, args.slice(1));
    assert.equal(child.stdout, inProcess.out);
  });
});

describe('slipway cost', () => {
  it('prints the monthly estimate per component and resource, listing usage-based costs', async () => {
    const { code, out, err } = await call(cost, ['fixtures/apps/microservices-demo']);
    assert.equal(code, 0, err);
    assert.match(out, /^shop · production \(us-east-1\): \$[\d,.]+\/month \+ usage-based costs/);
    // web: 2 tasks × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) × 730 h = $36.04
    assert.match(out, /\$36\.04 {2}aws_ecs_service\.web_service_\w+ \(web\)/);
    assert.match(out, /Depends on usage \(not included in the total\): .*aws_sqs_queue/);
  });

  it('prices log ingestion from recorded metrics, and a --usage file wins where both say', async () => {
    // web writes 1,000 bytes of logs a second: 730 × 3,600 × 1,000 / 2^30 = 2.45 GB a month, at
    // $0.50 per GB ingested = $1.22. Two samples of 1e300 bytes are left out, and said so.
    const metrics = join(scratch, 'metrics.json');
    const t = Date.UTC(2026, 0, 5) / 1000;
    writeFileSync(metrics, JSON.stringify({ web: { logs: [[t, 1000], [t + 60, 1000], [t + 120, 1e300], [t + 180, 1e300]] } }));
    const { code, out, err } = await call(cost, ['fixtures/apps/microservices-demo', '--metrics', metrics]);
    assert.equal(code, 0, err);
    assert.match(out, /aws_cloudwatch_log_group\.web_log-group_\w+ \(web\)\n {8}Logs ingested: 2\.45 GB ingested × \$0\.5 = \$1\.22/);
    assert.match(err, /web: 2 implausible logs sample\(s\) left out/);
    const usageFile = join(scratch, 'usage.json');
    writeFileSync(usageFile, JSON.stringify({ web: { logIngestGb: 10 } }));
    const both = await call(cost, ['fixtures/apps/microservices-demo', '--metrics', metrics, '--usage', usageFile]);
    assert.match(both.out, /Logs ingested: 10 GB ingested × \$0\.5 = \$5\.00/);
  });

  it('prints JSON whose total is the sum of its lines', async () => {
    const { code, out } = await call(cost, ['fixtures/apps/monorepo', '--format', 'json']);
    assert.equal(code, 0);
    const { apps } = JSON.parse(out) as { apps: { estimate: { monthly: number; lines: { monthly: number }[] } }[] };
    assert.equal(apps.length, 2);
    for (const app of apps) assert.ok(Math.abs(app.estimate.monthly - app.estimate.lines.reduce((s, l) => s + l.monthly, 0)) < 1e-9);
  });
});
