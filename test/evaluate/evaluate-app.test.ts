import assert from 'node:assert/strict';
import test from 'node:test';
import { loadAppsFromFiles } from '../../src/config/load.ts';
import { builtinRules, combinePolicies } from '../../src/policy/index.ts';
import { evaluateApp } from '../../src/evaluate/evaluate-app.ts';
import { previewPolicyResults } from '../../src/evaluate/preview-policy-results.ts';

function appIn(region: string) {
  const loaded = loadAppsFromFiles({
    'paas.yaml': [
      'version: 1',
      'name: shop',
      `region: ${region}`,
      'budget: { monthly: 1 }',
      'services:',
      '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 4 }',
    ].join('\n'),
  });
  assert.deepEqual(loaded.errors, []);
  return loaded.apps[0];
}

const policies = combinePolicies({ builtin: builtinRules() });

test('a budget the plan exceeds fails the monthly-budget rule', () => {
  const result = evaluateApp({ app: appIn('us-east-1'), environment: 'production', base: null, policies, sha: 'a'.repeat(40) });
  assert.ok(result.cost && result.cost.monthly > 1, 'four 1 vCPU tasks cost more than $1 a month');
  const budget = result.policies.find((p) => p.ruleId === 'monthly-budget');
  assert.equal(budget?.status, 'fail');
});

test('when the cost cannot be estimated, budget rules say "not evaluated" instead of passing on $0', () => {
  // ap-south-1 has no price table: the estimate throws, and the plan carries a note saying so.
  const result = evaluateApp({ app: appIn('ap-south-1'), environment: 'production', base: null, policies, sha: 'a'.repeat(40) });
  assert.equal(result.cost, undefined);
  assert.match(result.notes.join('\n'), /^shop: cost not estimated: no price table for region ap-south-1/);
  const budget = result.policies.find((p) => p.ruleId === 'monthly-budget');
  assert.equal(budget?.status, 'pass');
  assert.equal(budget?.notApplicable, true);
  assert.match(budget?.message ?? '', /not evaluated/);
});

test('a pull request is also judged by preview-only rules on its preview environment', () => {
  const text = (previews: boolean) =>
    [
      'version: 1',
      'name: shop',
      'budget: { preview: 1 }',
      'services:',
      '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 4 }',
      `previews: { enabled: ${previews}, services: { web: { instances: 2 } } }`,
    ].join('\n');
  for (const enabled of [true, false]) {
    const loaded = loadAppsFromFiles({ 'paas.yaml': text(enabled) });
    assert.deepEqual(loaded.errors, []);
    const app = loaded.apps[0];
    const production = evaluateApp({ app, environment: 'production', base: null, policies, sha: 'b'.repeat(40) });
    assert.equal(production.policies.find((r) => r.ruleId === 'preview-budget')?.notApplicable, true, 'production never runs the preview cap');
    const extra = previewPolicyResults(production, { pullRequest: 7, policies });
    if (!enabled) {
      assert.deepEqual(extra, [], 'no previews, no preview rules');
      continue;
    }
    // Two 1 vCPU / 2 GB tasks cost far more than the $1 cap.
    assert.deepEqual(extra.map((r) => [r.ruleId, r.status]), [['preview-budget', 'fail']]);
    assert.match(extra[0]!.message, /^preview pr-7: /);
  }
});

const webApp = (image: string, region = 'us-east-1') =>
  loadAppsFromFiles({
    'deploy/paas.yaml': ['version: 1', 'name: shop', `region: ${region}`, 'services:', `  web: { type: web, image: "${image}", port: 8080 }`].join('\n'),
  }).apps[0]!;

const containerImage = (terraform: { resource?: Record<string, Record<string, Record<string, unknown>>> }) => {
  const [definition] = Object.values(terraform.resource?.aws_ecs_task_definition ?? {});
  return (JSON.parse(String(definition?.container_definitions)) as Array<{ image: string }>)[0]!.image;
};

test('the commit sha is the image tag, and a new commit with the same paas.yaml plans the task definition with the new image', () => {
  const app = webApp('ghcr.io/acme/shop:${sha}');
  const first = evaluateApp({ app, environment: 'production', sha: '1'.repeat(40), base: null });
  assert.equal(containerImage(first.terraform), `ghcr.io/acme/shop:${'1'.repeat(40)}`);
  const second = evaluateApp({ app, environment: 'production', sha: '2'.repeat(40), base: first.terraform });
  assert.equal(containerImage(second.terraform), `ghcr.io/acme/shop:${'2'.repeat(40)}`);
  const changed = second.plan.resources.filter((r) => r.action !== 'no-op');
  assert.deepEqual(changed.map((r) => [r.type, r.action]), [['aws_ecs_task_definition', 'replace']]);
  assert.ok(changed[0]!.changes.some((c) => c.path.startsWith('container_definitions')), 'the container definitions are what changed');
  assert.notEqual(second.configHash, first.configHash);
});

test('the same app, environment and commit give the same bytes, and the config hash is their sha256', async () => {
  const { createHash } = await import('node:crypto');
  const app = webApp('ghcr.io/acme/shop:${sha}');
  const a = evaluateApp({ app, environment: 'production', sha: '3'.repeat(40), base: null });
  const b = evaluateApp({ app, environment: 'production', sha: '3'.repeat(40), base: a.terraform });
  assert.equal(JSON.stringify(a.terraform), JSON.stringify(b.terraform));
  assert.equal(a.configHash, createHash('sha256').update(JSON.stringify(a.terraform)).digest('hex'));
  assert.deepEqual(b.plan.resources.filter((r) => r.action !== 'no-op'), [], 'nothing changes against itself');
});

test('the base is priced in its own region when the app moved', () => {
  const before = evaluateApp({ app: webApp('nginx', 'eu-west-1'), environment: 'production', sha: '4'.repeat(40), base: null });
  const after = evaluateApp({ app: webApp('nginx', 'us-east-1'), environment: 'production', sha: '4'.repeat(40), base: before.terraform });
  assert.equal(after.costDiff.before.region, 'eu-west-1');
  assert.equal(after.costDiff.before.monthly, before.cost!.monthly);
  assert.equal(after.costDiff.after.region, 'us-east-1');
});

/** A `terraform show -json` document replacing the app's ECS service and its database, as Terraform would after drift. */
function terraformShowJson(doc: { resource?: Record<string, Record<string, Record<string, unknown>>> }, drift: { desiredCount: number }) {
  const address = (type: string) => `${type}.${Object.keys(doc.resource?.[type] ?? {})[0]}`;
  const [service] = Object.values(doc.resource?.aws_ecs_service ?? {});
  const [database] = Object.values(doc.resource?.aws_db_instance ?? {});
  const change = (type: string, actions: string[], before: Record<string, unknown>, after: Record<string, unknown>) => ({
    address: address(type), mode: 'managed', type, name: address(type).split('.')[1], change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
  });
  // As Terraform lists them: every resource, the unchanged ones as no-op.
  const unchanged = Object.entries(doc.resource ?? {})
    .filter(([type]) => type !== 'aws_ecs_service' && type !== 'aws_db_instance')
    .flatMap(([type, byName]) => Object.entries(byName).map(([name, block]) => ({ address: `${type}.${name}`, mode: 'managed', type, name, change: { actions: ['no-op'], before: block, after: block } })));
  return JSON.stringify({
    format_version: '1.2',
    resource_changes: [
      change('aws_ecs_service', ['update'], { ...service, desired_count: drift.desiredCount }, { ...service }),
      change('aws_db_instance', ['delete', 'create'], { ...database, identifier: 'renamed-by-hand' }, { ...database }),
      ...unchanged,
    ],
  });
}

test('given Terraform’s plan, the evaluation shows, prices and judges it instead of the inferred diff, and says so', async () => {
  const { readTerraformPlan } = await import('../../src/plan/read-terraform-plan.ts');
  const { withTerraformPlan } = await import('../../src/evaluate/with-terraform-plan.ts');
  const app = loadAppsFromFiles({
    'paas.yaml': ['version: 1', 'name: shop', 'services:', '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 2 }', 'resources:', '  db: { type: postgres }'].join('\n'),
  }).apps[0]!;
  const inferred = evaluateApp({ app, environment: 'production', sha: '5'.repeat(40), base: null, policies, inferredBecause: 'Terraform could not plan: no credentials' });
  const applied = evaluateApp({ app, environment: 'production', sha: '5'.repeat(40), base: inferred.terraform, policies });
  assert.deepEqual(applied.planSource, { kind: 'inferred' });
  assert.equal(applied.plan.resources.filter((r) => r.action !== 'no-op').length, 0, 'against what Slipway last applied, nothing changes');
  assert.deepEqual(inferred.planSource, { kind: 'inferred', reason: 'Terraform could not plan: no credentials' });

  // The real state drifted: someone scaled the service to 6 and renamed the database.
  const plan = readTerraformPlan(terraformShowJson(applied.terraform as never, { desiredCount: 6 }), 'show.json');
  const source = { kind: 'terraform' as const, tool: 'Terraform', version: '1.11.4', speculative: true };
  const judged = withTerraformPlan(applied, { plan, source }, { policies });
  assert.deepEqual(judged.planSource, source);
  assert.equal(judged.terraform, applied.terraform, 'the same document, not synthesized again');
  const changed = judged.plan.resources.filter((r) => r.action !== 'no-op');
  assert.deepEqual(changed.map((r) => [r.type, r.action]), [['aws_ecs_service', 'update'], ['aws_db_instance', 'replace']]);
  assert.deepEqual(changed.map((r) => r.component), ['web', 'db'], 'components named from the document');
  assert.equal(judged.policies.find((r) => r.ruleId === 'stateful-change-approval')?.status, 'fail', 'the replace Terraform reports is judged');
  assert.equal(applied.policies.find((r) => r.ruleId === 'stateful-change-approval')?.status, 'pass');
  // Priced from what Terraform says exists: six tasks before, two after.
  assert.ok(judged.costDiff.delta < 0, `six running tasks cost more than two: ${judged.costDiff.delta}`);
  assert.equal(applied.costDiff.delta, 0);
});

test('judging Terraform’s plan before an apply is the same evaluation, with the approvals given on pull requests', async () => {
  const { readTerraformPlan } = await import('../../src/plan/read-terraform-plan.ts');
  const { withTerraformPlan } = await import('../../src/evaluate/with-terraform-plan.ts');
  const { judgeTerraformPlan } = await import('../../src/evaluate/judge-terraform-plan.ts');
  const app = loadAppsFromFiles({
    'paas.yaml': ['version: 1', 'name: shop', 'services:', '  web: { type: web, image: nginx, cpu: 1, memory: 2Gi, instances: 2 }', 'resources:', '  db: { type: postgres }'].join('\n'),
  }).apps[0]!;
  const sha = '6'.repeat(40);
  const evaluated = evaluateApp({ app, environment: 'production', sha, base: null, policies });
  const terraformPlan = {
    plan: readTerraformPlan(terraformShowJson(evaluated.terraform as never, { desiredCount: 6 }), 'show.json'),
    source: { kind: 'terraform' as const, tool: 'Terraform', version: '1.11.4', speculative: false },
  };
  const input = { app, config: evaluated.config, environment: 'production', terraformJson: evaluated.terraform, terraformPlan, policies, sha };
  const judged = judgeTerraformPlan(input);
  const same = withTerraformPlan(evaluated, terraformPlan, { policies });
  assert.deepEqual(judged.cost, same.costDiff, 'priced as the evaluation prices it');
  assert.deepEqual(judged.policies, same.policies, 'judged by the same rules, the same way');
  assert.deepEqual(judged.notes, same.notes);
  assert.ok(judged.cost.delta < 0, 'priced from what Terraform says exists: six tasks before, two after');
  const replace = judged.policies.find((r) => r.ruleId === 'stateful-change-approval')!;
  assert.equal(replace.status, 'fail');
  assert.deepEqual(judged.blocking.map((r) => r.ruleId), ['stateful-change-approval'], 'the database replaced blocks the apply');
  // `/slipway approve stateful-change-approval` on a pull request, matched by the result's fingerprint.
  const approved = judgeTerraformPlan({ ...input, approvals: [{ ruleId: 'stateful-change-approval', headSha: '7'.repeat(40), resultFingerprint: replace.fingerprint! }] });
  assert.equal(approved.policies.find((r) => r.ruleId === 'stateful-change-approval')?.status, 'approved');
  assert.deepEqual(approved.blocking, []);
  // Another fingerprint (another change) approves nothing.
  assert.equal(judgeTerraformPlan({ ...input, approvals: [{ ruleId: 'stateful-change-approval', headSha: sha, resultFingerprint: 'other' }] }).blocking.length, 1);
});
