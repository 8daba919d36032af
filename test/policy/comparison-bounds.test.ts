/**
 * Comparisons at their bound: `greaterThanOrEqual: 1` accepts exactly 1, `greaterThan: 1` does
 * not. The built-in backups rule asks for at least one day of backups, so a production database
 * written with `backupDays: 1` must pass it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveEnvironment } from '../../src/config/load.ts';
import { parseConfigText } from '../../src/config/parse-config.ts';
import { builtinRules, evaluatePolicies, loadPolicyFiles, type PolicyRule } from '../../src/policy/index.ts';
import { synthesize } from '../../src/synth/index.ts';
import { config, goodTerraform } from './fixtures.ts';

function rule(test: string): PolicyRule {
  const yaml = `version: 1
rules:
  - id: bound
    description: the size is within its bound
    severity: error
    remediation: change the size
    select: { resource: { type: aws_db_instance } }
    assert:
      - { path: allocated_storage, ${test} }
`;
  const loaded = loadPolicyFiles(new Map([['team.yaml', yaml]]), 'repo');
  assert.deepEqual(loaded.errors, []);
  return loaded.rules[0]!;
}

function statusWith(storage: number, test: string): string {
  const terraform = goodTerraform();
  terraform.resource.aws_db_instance.db_instance.allocated_storage = storage;
  const [result] = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: [rule(test)] });
  return result!.status;
}

describe('numeric comparisons at, below and above their bound', () => {
  const table: [test: string, below: string, at: string, above: string][] = [
    ['greaterThanOrEqual: 20', 'fail', 'pass', 'pass'],
    ['greaterThan: 20', 'fail', 'fail', 'pass'],
    ['lessThanOrEqual: 20', 'pass', 'pass', 'fail'],
    ['lessThan: 20', 'pass', 'fail', 'fail'],
  ];
  for (const [test, below, at, above] of table) {
    it(`${test} gives ${below} for 19, ${at} for 20 and ${above} for 21`, () => {
      assert.deepEqual([statusWith(19, test), statusWith(20, test), statusWith(21, test)], [below, at, above]);
    });
  }

  it('compares a number written as text by its value', () => {
    assert.equal(statusWith('20' as unknown as number, 'greaterThanOrEqual: 20'), 'pass');
    assert.equal(statusWith('19.5' as unknown as number, 'greaterThanOrEqual: 20'), 'fail');
  });
});

describe('the built-in database-backups rule at its minimum of one day', () => {
  const backups = (days: number) => {
    const terraform = goodTerraform();
    terraform.resource.aws_db_instance.db_instance.backup_retention_period = days;
    const results = evaluatePolicies({ config: config(), environment: 'production', terraform, rules: builtinRules() });
    return results.find((r) => r.ruleId === 'database-backups')!;
  };

  it('passes a database that keeps backups for exactly one day, and fails one that keeps none', () => {
    assert.equal(backups(1).status, 'pass');
    assert.equal(backups(0).status, 'fail');
    assert.deepEqual(backups(0).resources, ['aws_db_instance.db_instance']);
  });

  it('passes a production database written with backupDays: 1, as Slipway synthesizes it', () => {
    const yaml = `version: 1
name: shop
region: us-east-1
resources:
  db: { type: postgres, backupDays: 1 }
`;
    const parsed = parseConfigText(yaml, 'paas.yaml');
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const resolved = resolveEnvironment(parsed.config, 'production');
    const terraform = synthesize(resolved);
    const instances = Object.values((terraform.resource as Record<string, Record<string, { backup_retention_period?: number }>>).aws_db_instance ?? {});
    assert.deepEqual(instances.map((i) => i.backup_retention_period), [1], 'the synthesized instance keeps one day');
    const results = evaluatePolicies({ config: resolved, environment: 'production', terraform, rules: builtinRules() });
    const result = results.find((r) => r.ruleId === 'database-backups')!;
    assert.equal(result.status, 'pass', result.message);
  });
});
