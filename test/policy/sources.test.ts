import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import {
  builtinRules, combinePolicies, evaluatePolicies, loadPolicyFiles, loadServerPolicies, PolicyLoadError,
  policyFilesChangedInPr, rulesForPullRequest,
} from '../../src/policy/index.ts';
import { config, goodTerraform } from './fixtures.ts';

const regionRule = (allowed: string) => `version: 1
params:
  allowedRegions: [${allowed}]
rules:
  - id: team-queue-retention
    description: queues keep messages at most a day
    severity: error
    remediation: lower it
    select: { resource: { type: aws_sqs_queue } }
    assert: [{ path: message_retention_seconds, lessThanOrEqual: 86400 }]
`;

test('policyFilesChangedInPr picks the repository policy files out of a PR', () => {
  assert.deepEqual(
    policyFilesChangedInPr(['src/app.ts', '.slipway/policies/team.yaml', '.slipway/policies/b.yml', '.slipway/policies/nested/x.yaml', '.slipway/other.yaml', 'apps/x/.slipway/policies/y.yaml']),
    ['.slipway/policies/b.yml', '.slipway/policies/team.yaml'],
  );
  assert.deepEqual(policyFilesChangedInPr(['README.md']), []);
});

test('a PR is judged by the default branch rules, not by the policy files its head changes', () => {
  const defaultBranchFiles = new Map([
    ['.slipway/policies/team.yaml', regionRule('eu-west-1')],
    ['README.md', 'not a policy'],
  ]);
  // The PR head would loosen the region list; it is not an input, only its changed paths are.
  const prHeadFiles = new Map([['.slipway/policies/team.yaml', regionRule('eu-west-1, us-east-1')]]);
  const set = rulesForPullRequest({ builtin: builtinRules(), defaultBranchFiles, changedPaths: [...prHeadFiles.keys(), 'src/x.ts'] });
  assert.deepEqual(set.errors, []);
  assert.deepEqual(set.params.allowedRegions, ['eu-west-1']);
  assert.ok(set.rules.some((r) => r.id === 'team-queue-retention' && r.source === 'repo:.slipway/policies/team.yaml'));
  assert.deepEqual(set.editedPolicyFiles, ['.slipway/policies/team.yaml']);
  assert.match(set.notice ?? '', /this PR edits policy files \(\.slipway\/policies\/team\.yaml\); it is judged by the rules before its change/i);
  const [region] = evaluatePolicies({ config: config(), environment: 'production', terraform: goodTerraform(), rules: set.rules.filter((r) => r.id === 'allowed-regions'), params: set.params });
  assert.equal(region.status, 'fail', 'us-east-1 is still refused although the PR head would allow it');
  assert.equal(rulesForPullRequest({ builtin: builtinRules(), defaultBranchFiles }).notice, undefined);
});

test('server params and overrides win; a repository cannot replace or disable built-in rules', () => {
  const server = loadPolicyFiles(new Map([['org.yaml', `version: 1
params: { allowedRegions: [eu-central-1] }
overrides:
  - { id: required-tags, enabled: false }
  - { id: cost-increase, severity: error }
`]]), 'server');
  const repository = loadPolicyFiles(new Map([['.slipway/policies/x.yaml', `version: 1
params: { allowedRegions: [us-east-1], maxInstances: 5 }
overrides: [{ id: bucket-encrypted, enabled: false }]
rules:
  - id: bucket-encrypted
    description: weaker
    severity: warning
    remediation: none
    select: { resource: { type: aws_s3_bucket } }
    assert: [{ path: bucket, exists: true }]
`]]), 'repo');
  const set = combinePolicies({ builtin: builtinRules(), server, repository });
  assert.deepEqual(set.params, { allowedRegions: ['eu-central-1'], maxInstances: 5 });
  assert.equal(set.rules.find((r) => r.id === 'required-tags'), undefined);
  assert.equal(set.rules.find((r) => r.id === 'cost-increase')?.severity, 'error');
  assert.equal(set.rules.find((r) => r.id === 'bucket-encrypted')?.source, 'builtin:storage');
  assert.deepEqual(set.errors.map((e) => [e.file, e.line, e.path]), [['.slipway/policies/x.yaml', 5, 'rules'], ['.slipway/policies/x.yaml', 3, 'overrides']]);
  assert.match(set.errors[0].message, /already defined by builtin:storage/);
});

test('loadServerPolicies loads a folder, and throws a clear error for a broken or missing one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-policies-'));
  try {
    writeFileSync(join(dir, 'org.yaml'), regionRule('eu-west-1'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const loaded = loadServerPolicies(dir);
    assert.deepEqual(loaded.rules.map((r) => r.source), [`server:${join(dir, 'org.yaml')}`]);
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nrules:\n  - id: x\n    sevrity: error\n');
    assert.throws(() => loadServerPolicies(dir), (error: unknown) => {
      assert.ok(error instanceof PolicyLoadError);
      assert.equal(error.code, 'POLICY_LOAD_FAILED');
      assert.match(error.message, /SLIPWAY_POLICY_DIR/);
      assert.match(error.message, /broken\.yaml:4:5: rules\.0\.sevrity: unknown key "sevrity" \(did you mean "severity"\?\)/);
      return true;
    });
    mkdirSync(join(dir, 'sub'));
    assert.throws(() => loadServerPolicies(join(dir, 'missing')), /cannot read the server policy folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
