/**
 * The JSON Schema editors use (yaml-language-server), generated from the zod schema so the two
 * cannot drift. `io: 'input'` describes what a user may write (defaults make fields optional).
 */
import { z } from 'zod';
import { PaasConfig } from './schema.ts';

export const schemaId = 'https://slipway.dev/schema/paas.schema.json';

export function paasJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PaasConfig, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: schemaId,
    title: 'Slipway paas.yaml',
    description: 'An application described for Slipway: services, resources, environments, previews, budget and metrics. See docs/paas-yaml.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

/** The file's text: stable key order from the schema, two-space indent, trailing newline. */
export function paasJsonSchemaText(): string {
  return `${JSON.stringify(paasJsonSchema(), null, 2)}\n`;
}
