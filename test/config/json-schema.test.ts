import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { paasJsonSchema, paasJsonSchemaText } from '../../src/config/json-schema.ts';
import { schemaFieldPaths } from '../../src/config/schema-paths.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the JSON Schema for editors', () => {
  it('committed schema/paas.schema.json equals a fresh generation (run `npm run schema`)', async () => {
    const committed = await readFile(join(root, 'schema', 'paas.schema.json'), 'utf8');
    assert.equal(committed, paasJsonSchemaText());
  });

  it('describes the input side: fields with defaults are optional, unknown keys refused', () => {
    const schema = paasJsonSchema() as { required?: string[]; additionalProperties?: unknown; properties: Record<string, unknown> };
    assert.deepEqual(schema.required, ['version', 'name']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(Object.keys(schema.properties), ['version', 'name', 'region', 'services', 'resources', 'environments', 'previews', 'budget', 'metrics', 'tags']);
  });
});

describe('docs/paas-yaml.md', () => {
  it('documents every field path of the schema', async () => {
    const doc = await readFile(join(root, 'docs', 'paas-yaml.md'), 'utf8');
    const paths = schemaFieldPaths(paasJsonSchema());
    assert.ok(paths.length > 80, `${paths.length} paths`);
    const missing = paths.filter((path) => !doc.includes(`\`${path}\``));
    assert.deepEqual(missing, []);
  });

  it('shows the yaml-language-server line editors need', async () => {
    const doc = await readFile(join(root, 'docs', 'paas-yaml.md'), 'utf8');
    assert.match(doc, /# yaml-language-server: \$schema=\S+paas\.schema\.json/);
  });
});
