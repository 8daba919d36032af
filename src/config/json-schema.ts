/**
 * The JSON Schema editors use (yaml-language-server), generated from the zod schema so the two
 * cannot drift. `io: 'input'` describes what a user may write (defaults make fields optional).
 */
import { z } from 'zod';
import { PaasConfig } from './schema.ts';

type Json = Record<string, unknown>;

export function paasJsonSchema(): Json {
  const schema = z.toJSONSchema(PaasConfig, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  typeOverrides(schema);
  return {
    $schema: schema.$schema,
    title: 'Slipway paas.yaml',
    description: 'An application described for Slipway: services, resources, environments, previews, budget and metrics. See docs/paas-yaml.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

/** The file's text: stable key order from the schema, two-space indent, trailing newline. */
export function paasJsonSchemaText(): string {
  return `${JSON.stringify(paasJsonSchema(), null, 2)}\n`;
}

/**
 * In zod, overrides are open maps (`services: { web: { ...any fields } }`), checked after merging.
 * For editors, describe them as partial services/resources instead, so completion and typo
 * warnings work inside `environments:` and `previews:` too. Partial: nothing required (the top
 * level supplies it), nested mappings partial too (they merge), and `null` allowed (it removes).
 */
function typeOverrides(schema: Json): void {
  const props = schema.properties as Record<string, Json>;
  const serviceOptions = (props.services.additionalProperties as Json).oneOf as Json[];
  const resourceOptions = (props.resources.additionalProperties as Json).oneOf as Json[];
  const environment = props.environments.additionalProperties as Json;
  for (const block of [environment, props.previews]) {
    const fields = block.properties as Record<string, Json>;
    fields.services.additionalProperties = { anyOf: serviceOptions.map(partial) };
    fields.resources.additionalProperties = { anyOf: resourceOptions.map(partial) };
  }
}

function partial(node: Json): Json {
  const out: Json = { ...node };
  delete out.required;
  delete out.default;
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Json>).map(([key, value]) => [key, { anyOf: [partialValue(value), { type: 'null' }] }]),
    );
  }
  return out;
}

/** Mappings merge (so they may be partial); lists and single values replace (so they stay whole). */
function partialValue(node: Json): Json {
  if (node.type === 'object' && node.properties) return partial(node);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[key])) return { ...node, [key]: (node[key] as Json[]).map(partialValue) };
  }
  const out = { ...node };
  delete out.default;
  return out;
}
