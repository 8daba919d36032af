import assert from 'node:assert/strict';
import test from 'node:test';
import type { PaasConfig } from '../../src/config/schema.ts';
import { builtinRules, evaluatePolicies, type EvaluateInput, type PolicyResult } from '../../src/policy/index.ts';
import { change, config, cost, costDiff, goodTerraform, locator, plan } from './fixtures.ts';

function run(overrides: Partial<EvaluateInput> = {}): Map<string, PolicyResult> {
  const results = evaluatePolicies({
    config: config(),
    environment: 'production',
    terraform: goodTerraform(),
    plan: plan(change('aws_db_instance.db_instance', 'no-op')),
    cost: cost(120),
    rules: builtinRules(),
    ...overrides,
  });
  return new Map(results.map((result) => [result.ruleId, result]));
}

function only(results: Map<string, PolicyResult>, ruleId: string): PolicyResult {
  const result = results.get(ruleId);
  assert.ok(result, `no result for ${ruleId}`);
  return result;
}

test('every built-in rule passes on the good baseline, and none errors', () => {
  const results = run();
  assert.equal(results.size, builtinRules().length);
  const notPassing = [...results.values()].filter((r) => r.status !== 'pass').map((r) => `${r.ruleId}: ${r.message}`);
  assert.deepEqual(notPassing, []);
  // the baseline really exercises the resource rules: they judged something
  assert.match(only(results, 'bucket-encrypted').message, /1 checked/);
  assert.match(only(results, 'no-public-ingress').message, /2 checked/);
  assert.match(only(results, 'required-tags').message, /checked, none at fault/);
});

test('bucket-public-access-blocked fails a bucket whose public access block lets a public policy through', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_s3_bucket_public_access_block.uploads_pab.block_public_policy = false;
  terraform.resource.aws_s3_bucket.logs = { bucket: 'logs' };
  const result = only(run({ terraform }), 'bucket-public-access-blocked');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources.sort(), ['aws_s3_bucket.logs', 'aws_s3_bucket.uploads_bucket']);
});

test('bucket-no-public-acl fails a public-read ACL and names the ACL resource', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_s3_bucket_acl = { uploads_acl: { bucket: '${aws_s3_bucket.uploads_bucket.id}', acl: 'public-read' }, fine: { acl: 'private' } };
  const result = only(run({ terraform }), 'bucket-no-public-acl');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_s3_bucket_acl.uploads_acl']);
  assert.match(result.message, /acl is public-read/);
});

test('bucket-encrypted fails a bucket without encryption and accepts the legacy inline block', () => {
  const terraform = goodTerraform();
  delete terraform.resource.aws_s3_bucket_server_side_encryption_configuration;
  terraform.resource.aws_s3_bucket.legacy = {
    bucket: 'legacy',
    server_side_encryption_configuration: { rule: { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' } } },
  };
  const result = only(run({ terraform }), 'bucket-encrypted');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_s3_bucket.uploads_bucket']);
});

test('bucket faults are located on the paas.yaml resource through the slipway:component tag', () => {
  const terraform = goodTerraform();
  delete terraform.resource.aws_s3_bucket_server_side_encryption_configuration;
  const result = only(run({ terraform, locate: locator({ 'resources.uploads': 12 }), file: 'apps/shop/paas.yaml' }), 'bucket-encrypted');
  assert.deepEqual(result.location, { file: 'apps/shop/paas.yaml', line: 12, column: 3 });
});

test('database-encrypted fails an unencrypted instance', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_db_instance.db_instance.storage_encrypted = false;
  const result = only(run({ terraform }), 'database-encrypted');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_db_instance.db_instance']);
  assert.match(result.faults![0].message, /storage_encrypted = true \(found false\)/);
});

test('cache-encrypted fails a replication group without at-rest encryption', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_elasticache_replication_group.cache_group.at_rest_encryption_enabled = false;
  const result = only(run({ terraform }), 'cache-encrypted');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_elasticache_replication_group.cache_group']);
});

test('database-deletion-protection fails in production only', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_db_instance.db_instance.deletion_protection = false;
  const production = only(run({ terraform }), 'database-deletion-protection');
  assert.equal(production.status, 'fail');
  assert.deepEqual(production.resources, ['aws_db_instance.db_instance']);
  const staging = only(run({ terraform, environment: 'staging' }), 'database-deletion-protection');
  assert.equal(staging.status, 'pass');
  assert.equal(staging.notApplicable, true);
});

test('database-backups fails a production database without backups, located on backupDays', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_db_instance.db_instance.backup_retention_period = 0;
  const result = only(run({ terraform, locate: locator({ 'resources.db': 20, 'resources.db.backupDays': 21 }) }), 'database-backups');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_db_instance.db_instance']);
  assert.equal(result.location?.line, 21);
  assert.match(result.message, /backup_retention_period ≥ 1/);
  const unwritten = only(run({ terraform, locate: locator({ 'resources.db': 20 }) }), 'database-backups');
  assert.equal(unwritten.location?.line, 20, 'falls back to the resource when backupDays is not written');
});

test('no-public-ingress fails SSH from anywhere and HTTPS from anywhere to a non-load-balancer group', () => {
  const terraform = goodTerraform();
  Object.assign(terraform.resource.aws_vpc_security_group_ingress_rule, {
    ssh: { security_group_id: '${aws_security_group.web_sg.id}', cidr_ipv4: '0.0.0.0/0', from_port: 22, to_port: 22 },
    web_https: { security_group_id: '${aws_security_group.web_sg.id}', cidr_ipv6: '::/0', from_port: 443, to_port: 443 },
    lb_ssh: { security_group_id: '${aws_security_group.lb_sg.id}', cidr_ipv4: '0.0.0.0/0', from_port: 22, to_port: 22 },
    office: { security_group_id: '${aws_security_group.web_sg.id}', cidr_ipv4: '203.0.113.0/24', from_port: 22, to_port: 22 },
  });
  const result = only(run({ terraform }), 'no-public-ingress');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources.sort(), [
    'aws_vpc_security_group_ingress_rule.lb_ssh',
    'aws_vpc_security_group_ingress_rule.ssh',
    'aws_vpc_security_group_ingress_rule.web_https',
  ]);
});

test('no-public-ingress accepts the load balancer looked up as a data source, and extra names from params', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_vpc_security_group_ingress_rule = {
    via_data: { security_group_id: '${data.aws_security_group.load-balancer-sg.id}', cidr_ipv4: '0.0.0.0/0', from_port: 443, to_port: 443 },
    legacy: { security_group_id: '${aws_security_group.web_sg.id}', cidr_ipv4: '0.0.0.0/0', from_port: 80, to_port: 80 },
  };
  assert.deepEqual(only(run({ terraform }), 'no-public-ingress').resources, ['aws_vpc_security_group_ingress_rule.legacy']);
  const withParam = only(run({ terraform, params: { loadBalancerSecurityGroupNames: ['shop-production-web'] } }), 'no-public-ingress');
  assert.equal(withParam.status, 'pass');
});

test('no-public-ingress-inline fails an inline ingress block open to the internet', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_security_group.open_sg = {
    name: 'open',
    ingress: [
      { from_port: 5432, to_port: 5432, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
      { from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'] },
    ],
  };
  terraform.resource.aws_security_group.lb_sg.ingress = [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }];
  const result = only(run({ terraform }), 'no-public-ingress-inline');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['aws_security_group.open_sg']);
  terraform.resource.aws_security_group.lb_sg.ingress = [{ from_port: 0, to_port: 65535, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }];
  delete terraform.resource.aws_security_group.open_sg;
  assert.deepEqual(only(run({ terraform }), 'no-public-ingress-inline').resources, ['aws_security_group.lb_sg']);
});

test('no-public-ingress-rule fails an aws_security_group_rule ingress from anywhere, not egress', () => {
  const terraform = goodTerraform();
  terraform.resource.aws_security_group_rule = {
    open: { type: 'ingress', security_group_id: '${aws_security_group.web_sg.id}', cidr_blocks: ['0.0.0.0/0'], from_port: 8080, to_port: 8080 },
    out: { type: 'egress', security_group_id: '${aws_security_group.web_sg.id}', cidr_blocks: ['0.0.0.0/0'], from_port: 0, to_port: 0 },
    lb: { type: 'ingress', security_group_id: '${aws_security_group.lb_sg.id}', cidr_blocks: ['0.0.0.0/0'], from_port: 443, to_port: 443 },
  };
  assert.deepEqual(only(run({ terraform }), 'no-public-ingress-rule').resources, ['aws_security_group_rule.open']);
});

test('allowed-regions allows every region until params name some, then fails and locates the region', () => {
  const unset = only(run({ config: config({ region: 'ap-south-1' }) }), 'allowed-regions');
  assert.equal(unset.status, 'pass');
  assert.equal(unset.notApplicable, true);
  const params = { allowedRegions: ['eu-west-1', 'eu-central-1'] };
  const bad = only(run({ config: config({ region: 'ap-south-1' }), params, locate: locator({ region: 3 }) }), 'allowed-regions');
  assert.equal(bad.status, 'fail');
  assert.deepEqual(bad.resources, ['shop']);
  assert.equal(bad.location?.line, 3);
  assert.match(bad.message, /region in \["eu-west-1","eu-central-1"\]/);
  assert.equal(only(run({ config: config({ region: 'eu-west-1' }), params }), 'allowed-regions').status, 'pass');
});

test('allowed-regions locates a region set in the environment override first', () => {
  const result = only(
    run({ config: config({ region: 'us-west-2' }), environment: 'staging', params: { allowedRegions: ['eu-west-1'] }, locate: locator({ region: 3, 'environments.staging.region': 30 }) }),
    'allowed-regions',
  );
  assert.equal(result.location?.line, 30);
});

test('max-service-size fails a service over the cpu or memory cap and locates the field', () => {
  const services = {
    web: { type: 'web', port: 8080, cpu: 8, memory: '16Gi' },
    big: { type: 'worker', cpu: 2, memory: '30Gi' },
    small: { type: 'worker' },
  } as unknown as PaasConfig['services'];
  const result = only(run({ config: config({ services }), locate: locator({ 'services.web.cpu': 7, 'services.big.memory': 11 }) }), 'max-service-size');
  assert.equal(result.status, 'fail');
  assert.deepEqual(result.resources, ['services.web', 'services.big']);
  assert.deepEqual(result.faults!.map((f) => f.location?.line), [7, 11]);
  assert.match(result.faults![1].message, /memory 30720 MiB/);
});

test('max-instances fails a service that scales past the cap, and the cap follows params', () => {
  const services = { web: { type: 'web', port: 8080, instances: { min: 2, max: 40 } }, jobs: { type: 'worker', instances: 3 } } as unknown as PaasConfig['services'];
  const result = only(run({ config: config({ services }) }), 'max-instances');
  assert.deepEqual(result.resources, ['services.web']);
  assert.match(result.message, /up to 40 instances \(at most 20\)/);
  assert.equal(only(run({ config: config({ services }), params: { maxInstances: 50 } }), 'max-instances').status, 'pass');
  assert.deepEqual(only(run({ config: config({ services }), params: { maxInstances: 2 } }), 'max-instances').resources, ['services.web', 'services.jobs']);
});

test('required-tags fails resources without the tags when there are no provider default tags', () => {
  const terraform = goodTerraform();
  delete terraform.provider;
  terraform.resource.aws_ecs_service.web_service.tags = { 'slipway:app': 'shop', 'slipway:environment': 'production' };
  const result = only(run({ terraform }), 'required-tags');
  assert.equal(result.status, 'fail');
  assert.ok(!result.resources.includes('aws_ecs_service.web_service'));
  assert.ok(result.resources.includes('aws_s3_bucket.uploads_bucket'));
  assert.ok(result.resources.includes('aws_db_instance.db_instance'));
  assert.ok(!result.resources.some((r) => r.startsWith('aws_s3_bucket_public_access_block')), 'untaggable types are not judged');
});

test('monthly-budget fails over budget.monthly, passes without a budget', () => {
  const over = only(run({ cost: cost(412.5), locate: locator({ budget: 40, 'budget.monthly': 41 }) }), 'monthly-budget');
  assert.equal(over.status, 'fail');
  assert.equal(over.message, 'estimated $412.50/month exceeds the budget of $300/month');
  assert.equal(over.location?.line, 41);
  const none = only(run({ cost: cost(412.5), config: config({ budget: undefined }) }), 'monthly-budget');
  assert.equal(none.status, 'pass');
  assert.equal(none.notApplicable, true);
  assert.equal(only(run({ cost: cost(299) }), 'monthly-budget').status, 'pass');
});

test('preview-budget caps preview environments only', () => {
  const preview = only(run({ environment: 'pr-12', cost: cost(80) }), 'preview-budget');
  assert.equal(preview.status, 'fail');
  assert.match(preview.message, /\$80\/month exceeds the preview cap of \$50\/month/);
  assert.equal(only(run({ environment: 'pr-12', cost: cost(80) }), 'monthly-budget').notApplicable, true);
  assert.equal(only(run({ environment: 'production', cost: cost(80) }), 'preview-budget').notApplicable, true);
});

test('cost-increase warns on a rise above 50%', () => {
  const result = only(run({ costDiff: costDiff(100, 180), cost: undefined }), 'cost-increase');
  assert.equal(result.status, 'fail');
  assert.equal(result.severity, 'warning');
  assert.match(result.message, /rises by 80%/);
  assert.equal(only(run({ costDiff: costDiff(100, 120) }), 'cost-increase').status, 'pass');
});

test('stateful-change-approval fails a database replace and a queue delete, names the forcing attribute, and is approvable', () => {
  const changes = plan(
    change('aws_db_instance.db_instance', 'replace', [{ path: 'engine', before: 'postgres', after: 'mysql', sensitive: false, forcesReplacement: true }], 'db'),
    change('aws_sqs_queue.tasks_queue', 'delete'),
    change('aws_s3_bucket.uploads_bucket', 'update'),
    change('aws_ecs_service.web_service', 'replace'),
  );
  const result = only(run({ plan: changes, locate: locator({ 'resources.db': 20 }) }), 'stateful-change-approval');
  assert.equal(result.status, 'fail');
  assert.equal(result.requiresApproval, true);
  assert.equal(result.approvable, true);
  assert.deepEqual(result.resources, ['aws_db_instance.db_instance', 'aws_sqs_queue.tasks_queue']);
  assert.match(result.faults![0].message, /will be replaced \(engine: postgres → mysql\)/);
  assert.equal(result.location?.line, 20);
  assert.doesNotMatch(result.message, /slipway approve/, 'how to approve is rendered from `approvable`, not carried in the message');
  assert.match(result.fingerprint ?? '', /^[0-9a-f]{16}$/);
});
