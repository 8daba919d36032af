/**
 * A change inside a force-new attribute (one element of a list, one key of a block) replaces the
 * resource just as a change of the whole attribute does: Terraform destroys and re-creates a
 * security group rule whose second CIDR block changed, and a plan that called it an in-place
 * update would hide a window without the rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTerraform } from '../../src/plan/index.ts';
import type { TerraformJson } from '../../src/plan/index.ts';

const one = (type: string, attributes: Record<string, unknown>): TerraformJson => ({ resource: { [type]: { it: attributes } } });

function only(before: TerraformJson, after: TerraformJson) {
  const plan = diffTerraform(before, after);
  assert.equal(plan.resources.length, 1);
  return { resource: plan.resources[0]!, summary: plan.summary };
}

describe('replacement inferred from a change inside a force-new attribute', () => {
  it('replaces a security group rule when one element of cidr_blocks changes', () => {
    const rule = { type: 'ingress', from_port: 443, to_port: 443, protocol: 'tcp', security_group_id: 'sg-1' };
    const { resource, summary } = only(
      one('aws_security_group_rule', { ...rule, cidr_blocks: ['10.0.0.0/16', '10.1.0.0/16'] }),
      one('aws_security_group_rule', { ...rule, cidr_blocks: ['10.0.0.0/16', '0.0.0.0/0'] }),
    );
    assert.equal(resource.action, 'replace');
    assert.equal(resource.replaceInferred, true);
    assert.deepEqual(resource.changes, [{ path: 'cidr_blocks.1', before: '10.1.0.0/16', after: '0.0.0.0/0', sensitive: false, forcesReplacement: true }]);
    assert.deepEqual(summary, { create: 0, update: 0, replace: 1, delete: 0, 'no-op': 0, read: 0 });
  });

  it('replaces a security group rule when a CIDR block is added to the list', () => {
    const rule = { type: 'ingress', from_port: 443, to_port: 443, protocol: 'tcp', security_group_id: 'sg-1' };
    const { resource } = only(
      one('aws_security_group_rule', { ...rule, cidr_blocks: ['10.0.0.0/16'] }),
      one('aws_security_group_rule', { ...rule, cidr_blocks: ['10.0.0.0/16', '10.2.0.0/16'] }),
    );
    assert.equal(resource.action, 'replace');
    assert.deepEqual(resource.changes.map((c) => [c.path, c.forcesReplacement]), [['cidr_blocks.1', true]]);
  });

  it('replaces an RDS cluster when one of its availability zones changes', () => {
    const cluster = { cluster_identifier: 'shop', engine: 'aurora-postgresql', master_username: 'app' };
    const { resource } = only(
      one('aws_rds_cluster', { ...cluster, availability_zones: ['us-east-1a', 'us-east-1b'] }),
      one('aws_rds_cluster', { ...cluster, availability_zones: ['us-east-1a', 'us-east-1c'] }),
    );
    assert.equal(resource.action, 'replace');
    assert.equal(resource.replaceInferred, true);
    assert.deepEqual(resource.changes.map((c) => [c.path, c.forcesReplacement]), [['availability_zones.1', true]]);
  });

  it('keeps a change inside an attribute that is not force-new an in-place update', () => {
    // ingress of aws_security_group is updated in place; only name, vpc_id, description force a new group.
    const group = { name: 'web', vpc_id: 'vpc-1', description: 'web' };
    const { resource } = only(
      one('aws_security_group', { ...group, ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/16'] }] }),
      one('aws_security_group', { ...group, ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.9.0.0/16'] }] }),
    );
    assert.equal(resource.action, 'update');
    assert.equal(resource.replaceInferred, undefined);
    assert.deepEqual(resource.changes.map((c) => [c.path, c.forcesReplacement]), [['ingress.0.cidr_blocks.0', undefined]]);
  });

  it('does not take an attribute whose name merely starts like a force-new one for it', () => {
    // `engine` forces a new database instance; `engine_version` is upgraded in place.
    const db = { identifier: 'shop', engine: 'postgres', instance_class: 'db.t4g.small' };
    const { resource } = only(
      one('aws_db_instance', { ...db, engine_version: '16.3' }),
      one('aws_db_instance', { ...db, engine_version: '16.4' }),
    );
    assert.equal(resource.action, 'update');
    assert.deepEqual(resource.changes.map((c) => [c.path, c.forcesReplacement]), [['engine_version', undefined]]);
  });
});
