import test from 'node:test';
import assert from 'node:assert/strict';
import { RootConstruct } from 'constructs';
import { allKinds } from '../../stacks/all-kinds.ts';
import { AppStack } from '../../stacks/app-stack.ts';
import { PlatformStack } from '../../stacks/platform.ts';
import { canonicalize } from '../../src/synth/canonical-json.ts';
import { stackToTerraform } from '../../src/synth/stack-to-terraform.ts';
import { aiPipelineInput, microservicesDemoInput, resolved } from './example-configs.ts';

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
