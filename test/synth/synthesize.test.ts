import test from 'node:test';
import assert from 'node:assert/strict';
import { RootConstruct } from 'constructs';
import { allKinds } from '../../stacks/all-kinds.ts';
import { AppStack } from '../../stacks/app-stack.ts';
import { PlatformStack } from '../../stacks/platform.ts';
import { canonicalize } from '../../src/synth/canonical-json.ts';
import { checkReferences } from '../../src/synth/check-references.ts';
import { stackToTerraform } from '../../src/synth/stack-to-terraform.ts';
import { componentOf } from '../../src/synth/component-of.ts';
import { synthesize } from '../../src/synth/synthesize.ts';
import { synthesizePlatform } from '../../src/synth/synthesize-platform.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';
import { aiPipelineInput, microservicesDemoInput, resolved } from './example-configs.ts';
import { blocks, countResources, only } from './helpers.ts';

const demo = resolved(microservicesDemoInput);

test('the same config gives byte-identical JSON, run after run', () => {
  const first = JSON.stringify(synthesize(demo, { sha: 'abc' }));
  const second = JSON.stringify(synthesize(resolved(structuredClone(microservicesDemoInput)), { sha: 'abc' }));
  assert.equal(first, second);
  assert.equal(JSON.stringify(synthesize(resolved(aiPipelineInput))), JSON.stringify(synthesize(resolved(aiPipelineInput))));
  assert.doesNotMatch(first, /20\d\d-\d\d-\d\dT/, 'no timestamps');
});

test('every kind of service and resource synthesizes with no dangling reference', () => {
  for (const doc of [synthesize(demo), synthesize(resolved(aiPipelineInput)), synthesizePlatform()]) {
    assert.deepEqual(checkReferences(doc), []);
    assert.ok(countResources(doc) > 10);
  }
});

test('state goes to an encrypted, locked S3 backend keyed by app and environment', () => {
  assert.deepEqual(synthesize(demo).terraform!.backend, {
    s3: { bucket: 'slipway-terraform-state', key: 'shop/production/terraform.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
  });
  const staging = synthesize(resolved(microservicesDemoInput, 'staging'), { stateBucket: 'acme-tf', stateRegion: 'eu-west-1' });
  assert.deepEqual(staging.terraform!.backend!.s3, { bucket: 'acme-tf', key: 'shop/staging/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true });
});

test('app, environment and config tags are default tags; each resource carries its component', () => {
  const doc = synthesize(demo);
  assert.deepEqual(doc.provider!.aws[0].default_tags, [{ tags: { team: 'payments', 'slipway:app': 'shop', 'slipway:environment': 'production' } }]);
  const untagged: string[] = [];
  for (const [type, byName] of Object.entries(doc.resource!)) {
    for (const [name, block] of Object.entries(byName)) {
      if (componentOf(block) === undefined) untagged.push(`${type}.${name}`);
    }
  }
  assert.deepEqual(untagged, []);
  assert.equal(only(doc, 'aws_db_instance', 'db').tags!['slipway:component'], 'db');
});

test('no secret value appears anywhere in the document', () => {
  const input = structuredClone(microservicesDemoInput);
  input.services.web.env = { ...input.services.web.env, STRIPE_KEY: { secret: 'sk_live_should_not_leak' } };
  const text = JSON.stringify(synthesize(resolved(input)));
  assert.doesNotMatch(text, /"password"\s*:/);
  assert.doesNotMatch(text, /master_password"/);
  // The secret's *name* is part of its ARN; no value can be, because the config holds none.
  assert.match(text, /parameter\/slipway\/shop\/sk_live_should_not_leak/);
  const full = JSON.stringify(synthesize(resolved({ ...input, services: { web: { ...input.services.web, env: { K: { secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf' } } } } })));
  assert.match(full, /"valueFrom\\":\\"arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf\\"/);
});

test('an environment override changes only what it overrides', async () => {
  const { resolveEnvironment } = await import('../../src/config/resolve-environment.ts');
  const { PaasConfig } = await import('../../src/config/schema.ts');
  const staging = synthesize(resolveEnvironment(PaasConfig.parse(microservicesDemoInput), 'staging'));
  const production = synthesize(demo);
  assert.equal(staging.provider!.aws[0].region, 'us-west-2');
  assert.equal(only(staging, 'aws_appautoscaling_target', 'web').max_capacity, 2);
  assert.equal(only(staging, 'aws_ecs_service', 'web').desired_count, 1);
  assert.equal(only(staging, 'aws_ecs_service', 'web').name, 'shop-staging-web');
  assert.equal(only(staging, 'aws_db_instance', 'db').deletion_protection, false);
  assert.equal(only(production, 'aws_appautoscaling_target', 'web').max_capacity, 10);
  assert.deepEqual(only(staging, 'aws_ecs_task_definition', 'jobs').cpu, only(production, 'aws_ecs_task_definition', 'jobs').cpu);
  assert.deepEqual(only(staging, 'aws_lb_listener_rule', 'web').condition, only(production, 'aws_lb_listener_rule', 'web').condition);
});

test('${sha} in an image becomes the commit, or latest without one', () => {
  const image = (doc: TerraformJson) => JSON.parse(String(only(doc, 'aws_ecs_task_definition', 'web').container_definitions))[0].image;
  assert.equal(image(synthesize(demo, { sha: '0123abc' })), 'ghcr.io/acme/shop:0123abc');
  assert.equal(image(synthesize(demo)), 'ghcr.io/acme/shop:latest');
});

test('app stacks find the platform by its tag and the cluster by its name', () => {
  const doc = synthesize(demo, { platform: 'blue' });
  assert.deepEqual(Object.values(doc.data!.aws_vpc)[0].tags, { 'slipway:platform': 'blue' });
  assert.equal(Object.values(doc.data!.aws_ecs_cluster)[0].cluster_name, 'slipway-blue');
  assert.deepEqual(Object.values(doc.data!.aws_subnets)[0].tags, { 'slipway:platform': 'blue', 'slipway:tier': 'private' });
  assert.equal(Object.values(doc.data!.aws_lb_listener)[0].port, 443);
});

test('the platform stack: VPC in two zones, NAT, cluster with Container Insights, HTTPS listener and redirect', () => {
  const platform = synthesizePlatform({ name: 'blue', region: 'eu-west-1', certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x' });
  assert.equal(blocks(platform, 'aws_subnet').length, 4);
  assert.deepEqual(blocks(platform, 'aws_subnet').map((s) => s.tags!['slipway:tier']).sort(), ['private', 'private', 'public', 'public']);
  assert.equal(blocks(platform, 'aws_nat_gateway').length, 1);
  const [cluster] = blocks(platform, 'aws_ecs_cluster');
  assert.equal(cluster.name, 'slipway-blue');
  assert.deepEqual(cluster.setting, [{ name: 'containerInsights', value: 'enabled' }]);
  const listeners = blocks(platform, 'aws_lb_listener') as Record<string, any>[];
  const https = listeners.find((l) => l.port === 443)!;
  assert.equal(https.protocol, 'HTTPS');
  assert.equal(https.certificate_arn, 'arn:aws:acm:eu-west-1:1:certificate/x');
  const http = listeners.find((l) => l.port === 80)!;
  assert.deepEqual(http.default_action[0].redirect, { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' });
  const ingress = blocks(platform, 'aws_vpc_security_group_ingress_rule').map((r) => [r.from_port, r.cidr_ipv4]).sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.deepEqual(ingress, [[80, '0.0.0.0/0'], [443, '0.0.0.0/0']]);
  assert.equal(blocks(platform, 'aws_security_group')[0].tags!['slipway:role'], 'load-balancer');
  assert.equal(platform.terraform!.backend!.s3.key, '_platform/blue/terraform.tfstate');
  assert.ok(synthesizePlatform().variable!.certificate_arn, 'without a certificate the stack asks for one');
});

test("repeated synthesis leaves cdktf's global token map as it found it, other code's tokens included", async () => {
  const { Lazy, TerraformStack, Tokenization, DefaultTokenResolver, StringConcat } = await import('cdktf');
  const { RootConstruct } = await import('constructs');
  const outside = Lazy.stringValue({ produce: () => 'still here' });
  const map = (globalThis as { __cdktfTokenMap?: { stringTokenMap: Map<string, unknown> } }).__cdktfTokenMap!;
  const before = map.stringTokenMap.size;
  for (let i = 0; i < 3; i++) synthesize(demo);
  assert.equal(map.stringTokenMap.size, before);
  const resolvedOutside = Tokenization.resolve(outside, { scope: new TerraformStack(new RootConstruct(), 'x'), preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  assert.equal(resolvedOutside, 'still here');
});

test('loading only the kinds a config uses gives the same document; a missing kind is an internal error', async () => {
  const { synthesizeLazily } = await import('../../src/synth/synthesize-lazily.ts');
  const { synthesizeWith } = await import('../../src/synth/synthesize-with.ts');
  const { kindsUsedBy } = await import('../../stacks/kinds.ts');
  assert.deepEqual(kindsUsedBy(demo), ['cron', 'postgres', 'queue', 'redis', 'web', 'worker']);
  assert.equal(JSON.stringify(await synthesizeLazily(demo, { sha: 's' })), JSON.stringify(synthesize(demo, { sha: 's' })));
  assert.throws(() => synthesizeWith(demo, {}), (error: Error & { code?: string }) => error.code === 'SYNTH_INTERNAL' && /construct was not loaded/.test(error.message));
});

test('serviceUrls names where each web service and static site answers, matching the listener rules', async () => {
  const { serviceUrls } = await import('../../src/synth/service-urls.ts');
  assert.deepEqual(serviceUrls(demo), { web: 'https://shop.example.com' });
  const preview = resolved({ version: 1, name: 'docs', services: { api: { type: 'web', image: 'x' }, site: { type: 'static', source: 'd', domains: ['docs.example.com'] } } }, 'pr-9');
  assert.deepEqual(serviceUrls(preview, { baseDomain: 'preview.example.com' }), { api: 'https://api.docs.pr-9.preview.example.com', site: 'https://docs.example.com' });
  const rule = only(synthesize(preview, { baseDomain: 'preview.example.com' }), 'aws_lb_listener_rule', 'api');
  assert.deepEqual(rule.condition, [{ host_header: { values: ['api.docs.pr-9.preview.example.com'] } }]);
});

test('the fast stack-to-JSON gives exactly what cdktf toTerraform() gives, for every kind', () => {
  const stacks = [
    () => new AppStack(new RootConstruct(), resolved(microservicesDemoInput), allKinds, { sha: 'abc' }),
    () => new AppStack(new RootConstruct(), resolved(aiPipelineInput, 'pr-4'), allKinds),
    () => new PlatformStack(new RootConstruct(), { name: 'blue' }),
  ];
  for (const make of stacks) {
    const ours = canonicalize(stackToTerraform(make())) as Record<string, unknown>;
    const theirs = canonicalize(make().toTerraform()) as Record<string, unknown>;
    assert.deepEqual(ours['//'], { metadata: { backend: 's3', stackName: (theirs['//'] as { metadata: { stackName: string } }).metadata.stackName }, outputs: {} });
    delete ours['//'];
    delete theirs['//'];
    assert.deepEqual(ours, theirs);
  }
});

test('services may be named like the construct ids cdktf fixes for itself (aws, backend)', () => {
  const doc = synthesize(resolved({ version: 1, name: 'names', services: { backend: { type: 'web', image: 'x' }, aws: { type: 'worker', image: 'y' } } }));
  assert.equal(only(doc, 'aws_ecs_service', 'backend').name, 'names-production-backend');
  assert.equal(only(doc, 'aws_ecs_service', 'aws').name, 'names-production-aws');
  assert.equal(doc.terraform!.backend!.s3.key, 'names/production/terraform.tfstate');
});
