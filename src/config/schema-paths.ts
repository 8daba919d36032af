/**
 * Every field path of the JSON Schema, with map keys written as placeholders
 * (`services.<service>.cpu`): what `docs/paas-yaml.md` must document (a test checks it).
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

const placeholders: Record<string, string> = {
  services: '<service>',
  resources: '<resource>',
  environments: '<environment>',
  env: '<VAR>',
  tags: '<key>',
};

export function schemaFieldPaths(schema: JsonSchema): string[] {
  const out = new Set<string>();
  const walk = (node: JsonSchema, path: string, parentKey: string, depth: number) => {
    if (depth > 12) return;
    // Overrides repeat the service and resource fields (documented once, under services and resources).
    if (/^(environments\.<environment>|previews)\.(services|resources)\./.test(path)) return;
    for (const option of [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])]) walk(option, path, parentKey, depth + 1);
    if (node.items) walk(node.items, `${path}[]`, parentKey, depth + 1);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      out.add(childPath);
      walk(child, childPath, key, depth + 1);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      const childPath = `${path}.${placeholders[parentKey] ?? '<key>'}`;
      walk(node.additionalProperties, childPath, '', depth + 1);
    }
  };
  walk(schema, '', '', 0);
  return [...out];
}
