import assert from 'node:assert/strict';
import test from 'node:test';
import { environmentNames, loadApps, resolveEnvironment } from '../../src/config/load.ts';
import { estimateCost } from '../../src/cost/estimate-cost.ts';
import { diffTerraform } from '../../src/plan/diff-terraform.ts';
import { builtinRules, evaluatePolicies } from '../../src/policy/index.ts';
import { synthesize, synthesizePlatform } from '../../src/synth/index.ts';

test('every fixture app, in every environment, passes all built-in rules as Slipway synthesizes it', async () => {
  const { apps, errors } = await loadApps('fixtures/apps');
  assert.deepEqual(errors.filter((e) => !e.file.startsWith('invalid/')), []);
  const checked: string[] = [];
  for (const app of apps.filter((a) => !a.file.startsWith('invalid/'))) {
    const environments = [...environmentNames(app.config), ...(app.config.previews?.enabled ? ['pr-7'] : [])];
    for (const environment of environments) {
      const config = resolveEnvironment(app.config, environment);
      const terraform = synthesize(config);
      const results = evaluatePolicies({
        config, environment, terraform, plan: diffTerraform(null, terraform),
        cost: estimateCost(terraform, { region: config.region }), rules: builtinRules(), locate: (p) => app.locate(p), file: app.file,
      });
      // Budgets are the fixture author's own numbers (microservices-demo's preview is over its cap): only no error.
      const bad = results
        .filter((r) => r.status === 'error' || (r.status !== 'pass' && !r.source.startsWith('builtin:budget')))
        .map((r) => `${app.file} ${environment} ${r.ruleId}: ${r.message}`);
      assert.deepEqual(bad, []);
      checked.push(`${app.config.name}/${environment}`);
    }
  }
  assert.ok(checked.length >= 5, checked.join(', '));
});

test('the platform stack\'s internet-facing load balancer is the one exception to no-public-ingress', () => {
  const terraform = synthesizePlatform({}) as never as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const rules = builtinRules().filter((r) => r.id.startsWith('no-public-ingress'));
  const input = { config: { version: 1, name: 'platform', region: 'us-east-1', services: {}, resources: {}, environments: {} } as never, environment: 'production', terraform, rules };
  const clean = evaluatePolicies(input);
  assert.deepEqual(clean.map((r) => r.status), ['pass', 'pass', 'pass']);
  assert.match(clean[0].message, /[1-9]\d* checked, none at fault/, 'the load balancer rules were judged');
  // The same open rule on another port is refused.
  const [address, rule] = Object.entries(terraform.resource.aws_vpc_security_group_ingress_rule).find(([, r]) => r.cidr_ipv4 === '0.0.0.0/0')!;
  terraform.resource.aws_vpc_security_group_ingress_rule[address] = { ...rule, from_port: 22, to_port: 22 };
  const opened = evaluatePolicies(input);
  assert.deepEqual(opened[0].resources, [`aws_vpc_security_group_ingress_rule.${address}`]);
});
