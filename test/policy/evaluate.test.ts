import assert from 'node:assert/strict';
import test from 'node:test';
import type { PaasConfig } from '../../src/config/schema.ts';
import { builtinRules, evaluatePolicies, loadPolicyFiles, type PolicyRule } from '../../src/policy/index.ts';
import { change, config, cost, goodTerraform, plan } from './fixtures.ts';

function rules(yaml: string): PolicyRule[] {
  const loaded = loadPolicyFiles(new Map([['team.yaml', yaml]]), 'repo');
  assert.deepEqual(loaded.errors, []);
  return loaded.rules;
}

const header = (id: string, extra = '') => `version: 1
rules:
  - id: ${id}
    description: test rule
    severity: error
    remediation: fix it
${extra}`;

test('a rule that throws during evaluation is an error result, and the other rules still run', () => {
  // A config the loader never validated: "lots" is not a size, so reading memory throws.
  const services = { web: { type: 'web', port: 8080, memory: 'lots' } } as unknown as PaasConfig['services'];
  const results = evaluatePolicies({ config: config({ services }), environment: 'production', terraform: goodTerraform(), rules: builtinRules() });
  const broken = results.filter((r) => r.status === 'error');
  assert.deepEqual(broken.map((r) => r.ruleId).sort(), ['max-instances', 'max-service-size']);
  assert.match(broken[0].message, /rule could not be evaluated: not a size: lots/);
  assert.equal(results.find((r) => r.ruleId === 'database-encrypted')?.status, 'pass');
});

test('a rule built outside the schema (no test in a condition) errors instead of passing', () => {
  const rule = { ...rules(header('odd', '    select: { resource: { type: aws_s3_bucket } }\n    assert: [{ path: bucket, exists: true }]\n'))[0] };
  rule.assert = [{ path: 'bucket' }];
  const [result] = evaluatePolicies({ config: config(), environment: 'production', terraform: goodTerraform(), rules: [rule] });
  assert.equal(result.status, 'error');
  assert.match(result.message, /condition has no test/);
});

test('wildcard paths, some/every quantifiers and deny combine as documented', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_ecs_task_definition = {
    good: { container_definitions: [{ name: 'web', image: 'ghcr.io/acme/web:abc', environment: [{ name: 'A', value: '1' }] }] },
    latest: { container_definitions: [{ name: 'web', image: 'ghcr.io/acme/web:latest' }, { name: 'side', image: 'nginx:1.27' }] },
    // Terraform JSON holds container definitions as a JSON string; paths read into it all the same.
    secret: { container_definitions: JSON.stringify([{ name: 'web', image: 'x:1', environment: [{ name: 'API_TOKEN', value: 'abc' }] }]) },
  };
  const yaml = `version: 1
rules:
  - id: no-latest-tag
    description: images are pinned
    severity: warning
    remediation: pin the tag
    select: { resource: { type: aws_ecs_task_definition } }
    deny:
      - { path: container_definitions.*.image, matches: ":latest$" }
  - id: no-plain-secrets
    description: secret-looking env vars come from secrets
    severity: error
    remediation: use { secret }
    select: { resource: { type: aws_ecs_task_definition } }
    assert:
      - path: container_definitions.environment
        every:
          - { path: name, notIn: [API_TOKEN, PASSWORD] }
`;
  const results = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: rules(yaml) });
  assert.deepEqual(results.map((r) => [r.ruleId, r.status, r.resources]), [
    ['no-latest-tag', 'fail', ['aws_ecs_task_definition.latest']],
    ['no-plain-secrets', 'fail', ['aws_ecs_task_definition.secret']],
  ]);
  assert.match(results[0].message, /container_definitions\.\*\.image is ghcr\.io\/acme\/web:latest, nginx:1\.27/);
});

test('when.environment takes globs, and $environment / $config references resolve', () => {
  const yaml = header('staging-small', `    when: { environment: ["stag*"] }
    select: { config: services }
    assert:
      - { path: instancesMax, lessThanOrEqual: 2 }
      - { path: $config.region, equals: us-east-1 }
`);
  const input = { config: config(), terraform: goodTerraform(), rules: rules(yaml) };
  assert.equal(evaluatePolicies({ ...input, environment: 'staging' })[0].status, 'fail');
  assert.equal(evaluatePolicies({ ...input, environment: 'production' })[0].notApplicable, true);
});

test('a plan rule without a plan, or a cost rule without a cost, is reported as not evaluated, not failed', () => {
  const results = evaluatePolicies({ config: config(), environment: 'production', terraform: goodTerraform(), rules: builtinRules() });
  const stateful = results.find((r) => r.ruleId === 'stateful-change-approval')!;
  assert.deepEqual([stateful.status, stateful.notApplicable, stateful.message], ['pass', true, 'not evaluated: no plan was given']);
  assert.equal(results.find((r) => r.ruleId === 'monthly-budget')?.message, 'not evaluated: no cost estimate was given');
});

test('cost per component can be capped and is located on the service', () => {
  const yaml = header('component-cap', `    select: { cost: components }
    assert: [{ path: monthly, lessThan: 100 }]
`);
  const [result] = evaluatePolicies({
    config: config(), environment: 'production', terraform: goodTerraform(), rules: rules(yaml),
    cost: cost(250, { web: 150, db: 100 }), locate: (p) => (p === 'services.web' ? { line: 5, column: 3 } : undefined),
  });
  assert.deepEqual(result.resources, ['cost of web', 'cost of db']);
  assert.equal(result.location?.line, 5);
});

test('results keep the order of the rules and carry their source', () => {
  const results = evaluatePolicies({ config: config(), environment: 'production', terraform: goodTerraform(), plan: plan(change('aws_s3_bucket.x', 'create')), rules: builtinRules() });
  assert.deepEqual(results.map((r) => r.ruleId), builtinRules().map((r) => r.id));
  assert.equal(results.find((r) => r.ruleId === 'bucket-encrypted')?.source, 'builtin:storage');
});

test('value tests look inside list values, so one rule covers "Action": "*" and "Action": ["*"]', () => {
  const terraform = goodTerraform();
  const policy = (action: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  terraform.resource.aws_iam_role_policy = {
    star: { policy: policy('*') },
    list: { policy: policy(['s3:GetObject', '*']) },
    narrow: { policy: policy(['s3:GetObject', 's3:*']) },
  };
  const yaml = header('no-wildcard-iam', `    select: { resource: { type: [aws_iam_role_policy, aws_iam_policy] } }
    deny:
      - path: policy.Statement
        some:
          - { path: Effect, equals: Allow }
          - { path: Action, equals: "*" }
`);
  const [result] = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: rules(yaml) });
  assert.deepEqual(result.resources, ['aws_iam_role_policy.star', 'aws_iam_role_policy.list']);
});

test('a matches: pattern that starts with $ is a pattern, not a reference, when it fails and when it is explained', () => {
  // `$` is an end anchor: "$|^my-" holds for every bucket name; "$ " (end, then a space) for none.
  const terraform = goodTerraform();
  terraform.resource.aws_s3_bucket = { b: { bucket: 'my-bucket', tags: { 'slipway:component': 'uploads' } } };
  const check = (pattern: string) =>
    evaluatePolicies({
      config: config(),
      environment: 'production',
      terraform,
      rules: rules(header('bucket-pattern', `    select: { resource: { type: aws_s3_bucket } }\n    assert: [{ path: bucket, matches: ${JSON.stringify(pattern)} }]\n`)),
    })[0]!;
  assert.equal(check('$|^my-').status, 'pass');
  const failed = check('$ ');
  assert.equal(failed.status, 'fail', failed.message);
  assert.equal(failed.message, "aws_s3_bucket.b: expected bucket matches $  (found my-bucket)");
});
