import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { loadPolicyFiles } from '../../src/policy/index.ts';

test('every complete policy file shown in docs/policies.md is valid', () => {
  const docs = readFileSync(new URL('../../docs/policies.md', import.meta.url), 'utf8');
  const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((text) => text.startsWith('version: 1'));
  assert.ok(blocks.length >= 3, `found ${blocks.length} examples`);
  const files = new Map(blocks.map((text, index) => [`example-${index}.yaml`, text]));
  const loaded = loadPolicyFiles(files, 'docs');
  assert.deepEqual(loaded.errors, []);
  assert.ok(loaded.rules.length >= 5);
});
