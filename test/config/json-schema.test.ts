import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
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
    assert.deepEqual(Object.keys(schema.properties), ['version', 'name', 'region', 'services', 'resources', 'environments', 'previews', 'budget', 'deploy', 'rollback', 'drift', 'metrics', 'tags', 'watch']);
  });
});

describe('the JSON Schema judges files as the loader does (read back with z.fromJSONSchema)', () => {
  const schema = z.fromJSONSchema(paasJsonSchema() as Parameters<typeof z.fromJSONSchema>[0]);
  const accepts = (text: string) => schema.safeParse(parse(text)).success;

  it('accepts every valid fixture and refuses schema-level mistakes', async () => {
    for (const fixture of ['simple-web-app', 'microservices-demo', 'ai-ml-pipeline', 'monorepo/apps/api', 'monorepo/apps/web']) {
      assert.equal(accepts(await readFile(join(root, 'fixtures', 'apps', fixture, 'paas.yaml'), 'utf8')), true, fixture);
    }
    for (const fixture of ['unknown-key', 'wrong-type']) {
      assert.equal(accepts(await readFile(join(root, 'fixtures', 'apps', 'invalid', fixture, 'paas.yaml'), 'utf8')), false, fixture);
    }
  });

  it('types overrides for editors: partial fields and null are fine, typos are not', () => {
    const base = 'version: 1\nname: x\nservices:\n  web: { type: web, image: x }\nenvironments:\n  s:\n    services:\n      web: ';
    assert.equal(accepts(`${base}{ instances: { min: 1 }, autoscaling: null }\n`), true);
    assert.equal(accepts(`${base}{ memmory: 1Gi }\n`), false);
    assert.equal(accepts(`${base}{ cpu: "1" }\n`), false);
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
