/**
 * All built-in policy packs on a generated 1,000-resource Terraform document and plan.
 * Target: ≤ 20 ms median. Run: node --import tsx bench/policy.bench.ts
 */
import type { PaasConfig } from '../src/config/schema.ts';
import type { Plan, ResourceChange } from '../src/plan/types.ts';
import { builtinRules, evaluatePolicies } from '../src/policy/index.ts';
import type { TerraformJson } from '../src/plan/terraform-json.ts';

function generate(count: number): { terraform: TerraformJson; plan: Plan; config: PaasConfig } {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  const add = (type: string, name: string, block: Record<string, unknown>) => ((resource[type] ??= {})[name] = block);
  const changes: ResourceChange[] = [];
  const services: Record<string, unknown> = {};
  let n = 0;
  for (let i = 0; n < count; i++) {
    const component = `svc${i}`;
    const tags = { 'slipway:component': component };
    services[component] = { type: 'web', port: 8080, cpu: 0.5, memory: '1Gi', instances: { min: 1, max: 4 } };
    add('aws_s3_bucket', `b${i}`, { bucket: `bucket-${i}`, tags });
    add('aws_s3_bucket_public_access_block', `b${i}`, { bucket: `\${aws_s3_bucket.b${i}.id}`, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: i % 50 !== 0 });
    add('aws_s3_bucket_server_side_encryption_configuration', `b${i}`, { bucket: `\${aws_s3_bucket.b${i}.id}`, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] });
    add('aws_db_instance', `db${i}`, { storage_encrypted: true, deletion_protection: i % 7 !== 0, backup_retention_period: 7, tags });
    add('aws_security_group', `sg${i}`, { name: `sg-${i}`, tags });
    add('aws_vpc_security_group_ingress_rule', `in${i}`, { security_group_id: `\${aws_security_group.sg${i}.id}`, referenced_security_group_id: '${data.aws_security_group.lb.id}', from_port: 8080, to_port: 8080 });
    add('aws_vpc_security_group_ingress_rule', `pub${i}`, { security_group_id: `\${aws_security_group.sg${i}.id}`, cidr_ipv4: '0.0.0.0/0', from_port: i % 10 === 0 ? 22 : 443, to_port: i % 10 === 0 ? 22 : 443 });
    add('aws_ecs_service', `svc${i}`, { name: `svc-${i}`, desired_count: 2, tags });
    add('aws_ecs_task_definition', `td${i}`, { family: `td-${i}`, container_definitions: JSON.stringify([{ name: 'web', image: 'x:1' }]), tags });
    add('aws_sqs_queue', `q${i}`, { name: `q-${i}`, sqs_managed_sse_enabled: true, tags });
    n += 10;
  }
  for (const [type, blocks] of Object.entries(resource)) {
    for (const [name, after] of Object.entries(blocks)) {
      const address = `${type}.${name}`;
      const action = type === 'aws_db_instance' && name.endsWith('3') ? 'replace' : type === 'aws_sqs_queue' && name.endsWith('5') ? 'delete' : 'create';
      changes.push({ address, type, name, mode: 'managed', action, changes: [{ path: 'tags', before: null, after: after.tags ?? null, sensitive: false }], after });
    }
  }
  const summary = { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 };
  for (const c of changes) summary[c.action]++;
  const terraform: TerraformJson = {
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: { 'slipway:app': 'big', 'slipway:environment': 'production' } }] }] },
    data: { aws_security_group: { lb: { tags: { 'slipway:role': 'load-balancer' } } } },
    resource,
  };
  const config = { version: 1, name: 'big', region: 'us-east-1', services, resources: {}, environments: {}, budget: { monthly: 1000 } } as unknown as PaasConfig;
  return { terraform, plan: { source: 'diff', resources: changes, summary }, config };
}

const { terraform, plan, config } = generate(1000);
const rules = builtinRules();
const resources = Object.values(terraform.resource!).reduce((sum, blocks) => sum + Object.keys(blocks).length, 0);
const cost = { region: 'us-east-1', currency: 'USD' as const, monthly: 1234, lines: [], unpriced: [], usageBased: [], byComponent: {} };
const input = { config, environment: 'production', terraform, plan, cost, rules, params: { allowedRegions: ['us-east-1'] } };

let results = evaluatePolicies(input);
for (let i = 0; i < 20; i++) results = evaluatePolicies(input);
const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i < 100; i++) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  results = evaluatePolicies(input);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const failing = results.filter((r) => r.status === 'fail');
console.log(`policy: ${rules.length} built-in rules on ${resources} resources / ${plan.resources.length} plan changes / ${Object.keys(config.services).length} services`);
console.log(`  wall: median ${times[50].toFixed(2)} ms · p90 ${times[90].toFixed(2)} ms · min ${times[0].toFixed(2)} ms (100 runs after 20 warm-up; target ≤ 20 ms)`);
// CPU time of this process (includes GC threads): less disturbed than wall time when other work shares the cores.
console.log(`  cpu:  median ${cpuTimes[50].toFixed(2)} ms per evaluation`);
console.log(`  ${failing.length} failing rules, ${failing.reduce((sum, r) => sum + r.resources.length, 0)} resources at fault; errors: ${results.filter((r) => r.status === 'error').length}`);
