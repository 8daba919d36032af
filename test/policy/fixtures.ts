/** Hand-written Terraform JSON, configs, plans and costs for the policy tests: a baseline every built-in rule passes. */
import type { PaasConfig } from '../../src/config/schema.ts';
import type { CostDiff, CostEstimate } from '../../src/cost/types.ts';
import type { Plan, ResourceChange } from '../../src/plan/types.ts';
import type { TerraformJson } from '../../src/plan/terraform-json.ts';

export function goodTerraform(): TerraformJson & { resource: Record<string, Record<string, Record<string, unknown>>> } {
  return {
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: { 'slipway:app': 'shop', 'slipway:environment': 'production' } }] }] },
    data: { aws_security_group: { 'load-balancer-sg': { tags: { 'slipway:platform': 'main', 'slipway:role': 'load-balancer' } } } },
    resource: {
      aws_s3_bucket: { uploads_bucket: { bucket: 'shop-production-uploads', tags: { 'slipway:component': 'uploads' } } },
      aws_s3_bucket_public_access_block: {
        uploads_pab: { bucket: '${aws_s3_bucket.uploads_bucket.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
      },
      aws_s3_bucket_server_side_encryption_configuration: {
        uploads_sse: { bucket: '${aws_s3_bucket.uploads_bucket.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: true }] },
      },
      aws_db_instance: {
        db_instance: { engine: 'postgres', storage_encrypted: true, deletion_protection: true, backup_retention_period: 7, tags: { 'slipway:component': 'db' } },
      },
      aws_elasticache_replication_group: {
        cache_group: { engine: 'redis', at_rest_encryption_enabled: 'true', transit_encryption_enabled: true, tags: { 'slipway:component': 'cache' } },
      },
      aws_security_group: {
        lb_sg: { name: 'main-lb', tags: { 'slipway:role': 'load-balancer' } },
        web_sg: { name: 'shop-production-web', tags: { 'slipway:component': 'web' } },
      },
      aws_vpc_security_group_ingress_rule: {
        lb_https: { security_group_id: '${aws_security_group.lb_sg.id}', cidr_ipv4: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 443, to_port: 443 },
        lb_http: { security_group_id: '${aws_security_group.lb_sg.id}', cidr_ipv4: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 80, to_port: 80 },
        web_from_lb: {
          security_group_id: '${aws_security_group.web_sg.id}',
          referenced_security_group_id: '${data.aws_security_group.load-balancer-sg.id}',
          ip_protocol: 'tcp', from_port: 8080, to_port: 8080, tags: { 'slipway:component': 'web' },
        },
      },
      aws_ecs_service: { web_service: { name: 'shop-production-web', desired_count: 2, tags: { 'slipway:component': 'web' } } },
    },
  };
}

export function config(overrides: Partial<PaasConfig> = {}): PaasConfig {
  return {
    version: 1,
    name: 'shop',
    region: 'us-east-1',
    services: { web: { type: 'web', port: 8080, cpu: 0.5, memory: '1Gi', instances: { min: 2, max: 4 } } },
    resources: {
      db: { type: 'postgres', version: '16', size: 'small', storage: '20Gi', highAvailability: false, backupDays: 7 },
      uploads: { type: 'bucket', versioning: false },
    },
    environments: {},
    budget: { monthly: 300, preview: 50 },
    ...overrides,
  } as PaasConfig;
}

export function cost(monthly: number, byComponent: Record<string, number> = {}): CostEstimate {
  return { region: 'us-east-1', currency: 'USD', monthly, lines: [], unpriced: [], usageBased: [], byComponent };
}

export function costDiff(before: number, after: number): CostDiff {
  return { before: cost(before), after: cost(after), delta: after - before, deltaPercent: before === 0 ? null : ((after - before) / before) * 100, lines: [] };
}

export function change(address: string, action: ResourceChange['action'], changes: ResourceChange['changes'] = [], component?: string): ResourceChange {
  const [type, name] = address.split('.');
  return { address, type, name, mode: 'managed', action, changes, ...(component ? { component } : {}) };
}

export function plan(...resources: ResourceChange[]): Plan {
  const summary = { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 };
  for (const resource of resources) summary[resource.action]++;
  return { source: 'diff', resources, summary };
}

/** A locate function over a fixed table of paas.yaml paths → lines. */
export function locator(lines: Record<string, number>): (path: string) => { line: number; column: number } | undefined {
  return (path) => (Object.hasOwn(lines, path) ? { line: lines[path], column: 3 } : undefined);
}
